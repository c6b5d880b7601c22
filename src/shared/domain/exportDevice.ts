// The device an export is made for, as the manifest records it: the whole device profile, the
// prediction for the exported variant on it (labelled as a prediction, with ranges), and where each
// recommended runtime setting comes from (measured on the device, or a rule).
import { z } from "zod";
import { deviceProfile } from "./deviceProfile.js";
import { efficiencyRange, variantPrediction } from "./devicePrediction.js";

/** measured: taken from results imported for this device; rule: derived from its profile; asked: given by the user. */
export const settingBases = ["measured", "rule", "asked"] as const;
export const settingBasis = z.enum(settingBases);
export type SettingBasis = z.infer<typeof settingBasis>;

export const settingSource = z.object({ basis: settingBasis, why: z.string().min(1) });
export type SettingSource = z.infer<typeof settingSource>;

/** One source per recommended runtime setting of the manifest's `runtime`. */
export const deviceSettingSources = z.object({
  contextLength: settingSource,
  threads: settingSource,
  gpuLayers: settingSource,
  flashAttention: settingSource,
  kvCacheType: settingSource,
  batchSize: settingSource,
});
export type DeviceSettingSources = z.infer<typeof deviceSettingSources>;

export const exportDevicePrediction = z.object({
  /** Always "prediction": these numbers were computed, not measured on the device. */
  kind: z.literal("prediction"),
  /** The context length the memory and speed were predicted at (the recommended one). */
  contextSize: z.number().int().positive(),
  bandwidthBytesPerSecond: z.number(),
  efficiency: efficiencyRange,
  variant: variantPrediction,
});
export type ExportDevicePrediction = z.infer<typeof exportDevicePrediction>;

export const exportDevice = z.object({
  profile: deviceProfile,
  prediction: exportDevicePrediction,
  settingSources: deviceSettingSources,
});
export type ExportDevice = z.output<typeof exportDevice>;
