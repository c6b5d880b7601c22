// The parent-process half of a job kind. The worker half (src/worker/runners) does the native work
// and returns a plain value; this half runs in the process that owns the database: it may declare
// the disk space a job needs before it starts, and it turns the worker's value (checked against the
// kind's contract in shared/protocol/jobKinds.ts before it gets here) into the job's result,
// recording rows in SQLite and moving output files into place, when the worker succeeds.
import type { z } from "zod";
import type { Job } from "../../shared/domain/job.js";
import type { JobKind, jobKinds } from "../../shared/protocol/jobKinds.js";
import type { EventBus } from "../rpc/eventBus.js";
import type { Db } from "../store/Store.js";

export interface OutputEstimate {
  /** Bytes the job will write. */
  bytes: number;
  /** Where it writes them (the free space of this folder's filesystem is checked). */
  dir: string;
}

export interface KindContext {
  readonly db: Db;
  readonly dataDir: string;
  readonly events: EventBus;
}

export interface CompletionContext extends KindContext {
  readonly job: Job;
  /** The job's temp folder; whatever is still in it after complete() returns is deleted. */
  readonly tempDir: string;
}

export type KindParams<K extends JobKind> = z.output<(typeof jobKinds)[K]["params"]>;
export type KindResult<K extends JobKind> = z.input<(typeof jobKinds)[K]["result"]>;
/** The worker's value as complete() receives it: parsed by the kind's value schema. */
export type KindValue<K extends JobKind> = z.output<(typeof jobKinds)[K]["value"]>;

export interface JobKindHost<K extends JobKind = JobKind> {
  readonly kind: K;
  /** Called before the worker starts; a job whose estimate does not fit on the disk fails at once. */
  estimateOutput?(
    params: KindParams<K>,
    context: KindContext,
  ): OutputEstimate | null | Promise<OutputEstimate | null>;
  /**
   * Where the worker stages output outside the job's temp folder (beside its destination, so the
   * final rename stays on one filesystem). Deleted with the temp folder however the job ends;
   * complete() moves it into place first when the job succeeds.
   */
  stagingPath?(params: KindParams<K>, jobId: string): string;
  /**
   * Turns the worker's value into the job's result, validated afterwards against the kind's result
   * schema. Throwing fails the job. Without it the worker's value is the result (the kind then
   * declares the same schema as value and result).
   */
  complete?(
    value: KindValue<K>,
    params: KindParams<K>,
    context: CompletionContext,
  ): KindResult<K> | Promise<KindResult<K>>;
}

/** Identity helper that keeps K's params/result types when declaring a host. */
export function defineJobKindHost<K extends JobKind>(host: JobKindHost<K>): JobKindHost<K> {
  return host;
}
