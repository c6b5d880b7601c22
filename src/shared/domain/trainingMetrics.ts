// The numbers a training job (distill, train) reports while it runs: the training loss per step and,
// for distillation, the held-out figures against the teacher. The worker sends new points only; the
// parent keeps the whole series with the job (jobs.metrics call) and announces each batch of new
// points (jobs.metrics event), so a screen that opens mid-run fetches the history once and appends.
import { z } from "zod";
import { heldoutPoint, type DistillTraining, type HeldoutPoint } from "./distill.js";

export const trainPoint = z.object({
  step: z.number().int(),
  loss: z.number(),
  /** Training throughput at this step; null when the source did not record it (an older result). */
  tokensPerSecond: z.number().nullable(),
});
export type TrainPoint = z.infer<typeof trainPoint>;

export const trainingMetrics = z.object({
  /** Steps the run will take; null while unknown. */
  totalSteps: z.number().int().nullable(),
  train: z.array(trainPoint),
  heldout: z.array(heldoutPoint),
});
export type TrainingMetrics = z.infer<typeof trainingMetrics>;

/** New points of one job (an event payload); the receiver appends them with appendTrainingMetrics. */
export const trainingMetricsUpdate = trainingMetrics.extend({ jobId: z.string() });
export type TrainingMetricsUpdate = z.infer<typeof trainingMetricsUpdate>;

export const emptyTrainingMetrics: TrainingMetrics = { totalSteps: null, train: [], heldout: [] };

/**
 * `series` with `more` appended. A point whose step is already there is skipped, so a batch that
 * arrives twice (an event racing the history fetch) changes nothing; both lists stay in step order.
 */
export function appendTrainingMetrics(
  series: TrainingMetrics,
  more: Pick<TrainingMetrics, "train" | "heldout"> & { totalSteps?: number | null },
): TrainingMetrics {
  return {
    totalSteps: more.totalSteps ?? series.totalSteps,
    train: mergeBySteps(series.train, more.train),
    heldout: mergeBySteps(series.heldout, more.heldout),
  };
}

function mergeBySteps<T extends { step: number }>(have: readonly T[], more: readonly T[]): T[] {
  if (more.length === 0) return have as T[];
  const seen = new Set(have.map((p) => p.step));
  const added = more.filter((p) => !seen.has(p.step) && seen.add(p.step));
  if (added.length === 0) return have as T[];
  return [...have, ...added].sort((a, b) => a.step - b.step);
}

/** A finished distillation's series, from its result (for jobs run before metrics were kept). */
export function trainingMetricsOfDistill(training: DistillTraining): TrainingMetrics {
  return {
    totalSteps: training.totalSteps,
    train: training.lossCurve.map((p) => ({ step: p.step, loss: p.loss, tokensPerSecond: null })),
    heldout: training.heldout,
  };
}

/** Held-out perplexity of a point: exp of its mean negative log-likelihood. */
export function heldoutPerplexity(point: HeldoutPoint): number {
  return Math.exp(point.nll);
}

export function hasTrainingMetrics(series: TrainingMetrics): boolean {
  return series.train.length > 0 || series.heldout.length > 0;
}
