// A device's measured numbers next to the workbench's predictions, per variant (core/devices/
// compareOnDevice.ts builds it). Measured figures are the results imported for the device; each
// measured generation speed is checked against a prediction made without that variant's own
// results (leave-one-out), so the error says how well the prediction does for a variant not yet
// measured.
import { z } from "zod";
import {
  devicePredictionTable,
  efficiencyRange,
  efficiencySample,
  variantPrediction,
} from "./devicePrediction.js";

/** One speed measured on the device: the mean over repetitions with its spread. */
export const measuredSpeed = z.object({
  /** The bench test ("tg.128", "pp.512"). */
  metric: z.string(),
  tokensPerSecond: z.number(),
  stddev: z.number().nullable(),
  samples: z.number().int().nullable(),
  runId: z.string(),
  measuredAt: z.string(),
});
export type MeasuredSpeed = z.infer<typeof measuredSpeed>;

/** The measured generation speed against the leave-one-out prediction at an empty context. */
export const predictionCheck = z.object({
  /** The efficiency without this variant's results: other variants measured on the device, else the spec-sheet path. */
  efficiency: efficiencyRange,
  lowTokensPerSecond: z.number(),
  highTokensPerSecond: z.number(),
  /** measured / the middle of the range − 1. */
  error: z.number(),
  inside: z.boolean(),
});
export type PredictionCheck = z.infer<typeof predictionCheck>;

export const deviceComparisonRow = z.object({
  /** Fit and generation range with every result imported for the device (what is shown where nothing was measured). */
  prediction: variantPrediction,
  measured: z.object({
    generation: measuredSpeed.nullable(),
    prompt: measuredSpeed.nullable(),
    /** The measured generation as a share of the bandwidth limit (the efficiency it gives the predictions). */
    efficiency: efficiencySample.nullable(),
  }),
  check: predictionCheck.nullable(),
});
export type DeviceComparisonRow = z.infer<typeof deviceComparisonRow>;

/** The prediction table's header (device, context, bandwidth, efficiency with every result) and a row per variant. */
export const deviceComparison = devicePredictionTable.extend({ rows: z.array(deviceComparisonRow) });
export type DeviceComparison = z.infer<typeof deviceComparison>;
