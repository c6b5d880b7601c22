// What the workbench predicts for a variant on a device (shared/metrics/devicePrediction.ts computes
// it): whether it fits the memory one app may use, with the margin, and how fast it generates, as a
// range. Everything here is a prediction, never a measurement, and says which of its parts are estimates.
import { z } from "zod";
import { fitLevels } from "../metrics/fit.js";

/** Where the efficiency factor (generation speed as a share of the bandwidth limit) comes from. */
export const efficiencyBases = ["device", "this-machine", "default"] as const;
export const efficiencyBasis = z.enum(efficiencyBases);
export type EfficiencyBasis = z.infer<typeof efficiencyBasis>;

/** One measured share of the bandwidth limit, with the spread over its repetitions. */
export const efficiencySample = z.object({
  value: z.number().positive(),
  stddev: z.number().min(0).nullable(),
});
export type EfficiencySample = z.infer<typeof efficiencySample>;

export const efficiencyRange = z.object({
  low: z.number(),
  typical: z.number(),
  high: z.number(),
  basis: efficiencyBasis,
  samples: z.number().int(),
});
export type EfficiencyRange = z.infer<typeof efficiencyRange>;

export const variantPrediction = z.object({
  modelId: z.string().nullable(),
  label: z.string(),
  path: z.string(),
  fileBytes: z.number(),
  memory: z.object({
    weightsBytes: z.number(),
    kvCacheBytes: z.number(),
    computeBytes: z.number(),
    overheadBytes: z.number(),
    totalBytes: z.number(),
  }),
  usableBytes: z.number(),
  /** usable − total: negative when it does not fit. */
  marginBytes: z.number(),
  fit: z.enum(fitLevels),
  /** The parts of the memory figure that are estimates, not read from the file. */
  estimated: z.array(z.string()),
  generation: z.object({
    /** At a full context: weights and the whole KV cache read per token, the low efficiency. */
    lowTokensPerSecond: z.number(),
    /** At an empty context: weights only, the high efficiency. */
    highTokensPerSecond: z.number(),
    weightBytesPerToken: z.number(),
    kvBytesPerTokenAtContext: z.number(),
  }),
  /** node-llama-cpp's own estimate from this variant's latest benchmark here, at that run's context. */
  nodeLlamaCppEstimate: z.object({ bytes: z.number(), contextSize: z.number().int() }).nullable(),
});
export type VariantPrediction = z.infer<typeof variantPrediction>;

export const devicePredictionTable = z.object({
  device: z.object({ id: z.string(), name: z.string() }),
  contextSize: z.number().int(),
  bandwidthBytesPerSecond: z.number(),
  efficiency: efficiencyRange,
  rows: z.array(variantPrediction),
});
export type DevicePredictionTable = z.infer<typeof devicePredictionTable>;
