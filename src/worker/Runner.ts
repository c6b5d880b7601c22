// What a job runner is: an async function in the worker process that does one kind of native work.
// It reports through its context and returns a plain (JSON-serialisable) value of the type its
// kind declares (shared/protocol/jobKinds.ts `value`); it never opens the database. The parent
// checks the value against that schema and its JobKindHost (src/core/jobs/kinds) turns it into the
// result.
import type { z } from "zod";
import type { JobKind, jobKinds } from "../shared/protocol/jobKinds.js";
import type { LogLevel } from "../core/jobs/workerMessages.js";
import type { TrainingMetrics } from "../shared/domain/trainingMetrics.js";

export interface RunnerContext {
  readonly jobId: string;
  readonly dataDir: string;
  /** Aborted when the job is cancelled. Stop promptly: the worker is killed 500 ms later anyway. */
  readonly signal: AbortSignal;
  /**
   * Progress: `fraction` 0..1 (null while the total is unknown) and the current step in words.
   * Call as often as you like; reports are rate-limited before they cross to the parent.
   */
  progress(fraction: number | null, step: string, etaSeconds?: number): void;
  /**
   * New training points (each sent once); batched before they cross to the parent, which keeps the
   * series with the job for the screens (shared/domain/trainingMetrics.ts).
   */
  metrics(points: Partial<TrainingMetrics>): void;
  log(level: LogLevel, message: string): void;
  /**
   * A path in the job's own temp folder (created on first use) for outputs and scratch files. The
   * queue deletes the folder when the job ends, so a cancelled or failed job leaves nothing; the
   * parent's host moves finished outputs into place (core/jobs/commitOutput.ts).
   */
  tempPath(name: string): string;
}

export type Runner<P = unknown, V = unknown> = (params: P, context: RunnerContext) => Promise<V>;

export type RunnerParams<K extends JobKind> = z.output<(typeof jobKinds)[K]["params"]>;
export type RunnerValue<K extends JobKind> = z.input<(typeof jobKinds)[K]["value"]>;
export type KindRunner<K extends JobKind> = Runner<RunnerParams<K>, RunnerValue<K>>;

/** Types a runner's params and value from the kind's contract in shared/protocol/jobKinds.ts. */
export function defineRunner<K extends JobKind>(_kind: K, runner: KindRunner<K>): KindRunner<K> {
  return runner;
}
