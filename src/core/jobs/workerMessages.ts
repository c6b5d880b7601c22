// The messages a job queue and its worker child exchange over the IPC channel. Both sides validate
// what they receive: a worker is a separate program that may be mid-crash when it writes.
import { z } from "zod";
import { remedyAction } from "../../shared/domain/errors.js";
import { trainingMetrics } from "../../shared/domain/trainingMetrics.js";

export const logLevel = z.enum(["info", "warn", "error"]);
export type LogLevel = z.infer<typeof logLevel>;

/** Parent → worker: run one job. `params` were already validated against the kind's schema. */
export const startMessage = z.object({
  type: z.literal("start"),
  jobId: z.string(),
  kind: z.string(),
  params: z.unknown(),
  dataDir: z.string(),
  /** The job's own temp folder; the queue deletes it when the job ends, whatever the outcome. */
  tempDir: z.string(),
});

/** Parent → worker: abort the job's AbortSignal. The parent kills the worker if it lingers. */
export const cancelMessage = z.object({ type: z.literal("cancel") });

export const parentMessage = z.discriminatedUnion("type", [startMessage, cancelMessage]);
export type ParentMessage = z.infer<typeof parentMessage>;

/** Worker → parent: listening, send the start message now (messages sent earlier could be lost). */
export const readyMessage = z.object({ type: z.literal("ready") });

export const progressMessage = z.object({
  type: z.literal("progress"),
  /** 0..1, or null while the total is unknown. */
  fraction: z.number().min(0).max(1).nullable(),
  step: z.string(),
  /** A runner that knows better than the parent's rate estimate may say so. */
  etaSeconds: z.number().nonnegative().optional(),
});

/** Worker → parent: training points not sent before (batched by the worker, appended by the parent). */
export const metricsMessage = trainingMetrics.extend({ type: z.literal("metrics") });

export const logMessage = z.object({ type: z.literal("log"), level: logLevel, message: z.string() });

export const resultMessage = z.object({ type: z.literal("result"), value: z.unknown() });

/** A coded error (core/errors.ts) arrives whole: its code, llama.cpp's reason and the remedies. */
export const errorMessage = z.object({
  type: z.literal("error"),
  message: z.string(),
  code: z.string().optional(),
  llamaReason: z.string().nullable().optional(),
  remedies: z.array(remedyAction).optional(),
  file: z.string().optional(),
});

export const workerMessage = z.discriminatedUnion("type", [
  readyMessage,
  progressMessage,
  metricsMessage,
  logMessage,
  resultMessage,
  errorMessage,
]);
export type WorkerMessage = z.infer<typeof workerMessage>;
