// A unit of long work owned by the job queue and run in a worker process.
import { z } from "zod";
import { appError } from "./errors.js";

export const jobStates = ["queued", "running", "succeeded", "failed", "cancelled", "interrupted"] as const;
export const jobState = z.enum(jobStates);
export type JobState = z.infer<typeof jobState>;

export const jobProgress = z.object({
  /** 0..1, or null while the total is unknown. */
  fraction: z.number().min(0).max(1).nullable(),
  /** What the job is doing now, in words ("quantizing blk.3.ffn_up.weight"). */
  step: z.string(),
  /** Seconds left, estimated from the rate so far; null while unknown. */
  etaSeconds: z.number().nullable(),
});
export type JobProgress = z.infer<typeof jobProgress>;

export const job = z.object({
  id: z.string(),
  kind: z.string(),
  params: z.unknown(),
  state: jobState,
  progress: jobProgress.nullable(),
  result: z.unknown().nullable(),
  /** Why it did not succeed, in words (failed, cancelled, interrupted). */
  error: z.string().nullable(),
  /**
   * A failed job's error as data (code, llama.cpp's reason, remedies); null for other outcomes and
   * for jobs recorded before errors were kept as data (they have only `error`).
   */
  errorDetail: appError.nullable().default(null),
  experimentId: z.string().nullable(),
  /** A job that must succeed before this one starts (pipelines); if it fails this one is cancelled. */
  dependsOn: z.string().nullable(),
  /**
   * The job's step in its experiment's job graph ("imatrix", "quantize:Q8_0", "eval"...); null for
   * a job queued on its own. A resumed step is a new job with the same key.
   */
  stepKey: z.string().nullable().default(null),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});
export type Job = z.infer<typeof job>;

export function isFinished(state: JobState): boolean {
  return state === "succeeded" || state === "failed" || state === "cancelled" || state === "interrupted";
}
