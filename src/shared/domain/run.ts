// A run is one measurement session of one model (a benchmark, an evaluation, a per-layer study)
// with its metrics. Bench and evaluation both write runs; screens compare their metrics.
import { z } from "zod";

export const runKinds = ["bench", "eval", "layers", "speculate"] as const;
export const runKind = z.enum(runKinds);
export type RunKind = z.infer<typeof runKind>;

/** One row of the metrics table. Names are dotted paths ("pp.512", "itl.p95"); units are explicit. */
export const metric = z.object({
  name: z.string().min(1),
  value: z.number(),
  unit: z.string(),
  /** Spread over `samples` repetitions; null when not applicable (one sample, derived figure). */
  stddev: z.number().nullable(),
  samples: z.number().int().nullable(),
});
export type Metric = z.infer<typeof metric>;

export const runRecord = z.object({
  id: z.string(),
  kind: runKind,
  modelId: z.string(),
  baseModelId: z.string().nullable(),
  textSetId: z.string().nullable(),
  experimentId: z.string().nullable(),
  jobId: z.string().nullable(),
  machineId: z.string(),
  llamaBuild: z.string(),
  nodeLlamaCpp: z.string(),
  settings: z.unknown(),
  details: z.unknown(),
  createdAt: z.string(),
  metrics: z.array(metric),
});
export type RunRecord = z.infer<typeof runRecord>;
