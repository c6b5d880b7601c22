// Predicts how a variant behaves on a device from its GGUF header, its file size and the device's
// profile. Pure arithmetic; every figure is a prediction (docs/devices.md has the formulas):
//
//   memory      = fit.ts's estimate (weights = file size, KV cache at the context length, compute
//                 buffer, runtime overhead) against the memory one app may use; margin = usable − total.
//   generation  = bandwidth × efficiency / bytes read per token. Bytes per token are the weights a
//                 token multiplies (weightBytesPerToken.ts), plus at a full context the whole KV cache.
//                 The range runs from (full context, low efficiency) to (empty context, high efficiency).
//   efficiency  = generation's share of the bandwidth limit. Measured on the device itself when such
//                 results exist; otherwise from this machine's benchmarks (tg / measured bandwidth),
//                 widened for the move to another device; otherwise a default range.
//   prompt processing is compute-bound and depends on kernels per CPU/GPU; it is not predicted.
import type { DeviceProfile } from "../domain/deviceProfile.js";
import type { EfficiencyRange, EfficiencySample, VariantPrediction } from "../domain/devicePrediction.js";
import { estimateMemory, fitVerdict, type FitModelShape } from "./fit.js";
import { percentile } from "./stats.js";

/**
 * Without any measurement: llama.cpp's CPU decode commonly reaches 35-75 % of a device's peak
 * bandwidth (lower on phones, which also throttle when hot).
 */
export const defaultEfficiency = { low: 0.35, high: 0.75 } as const;

/**
 * This machine's share is against the bandwidth it measured; a device profile gives a spec-sheet
 * peak, which real traffic does not reach, and phones throttle. The machine's range is scaled by
 * this much on the way to another device.
 */
export const machineToDeviceTransfer = { low: 0.6, high: 1.0 } as const;

/** A sample's spread counts this many standard deviations either side. */
export const spreadSigmas = 2;

/** The efficiency factor of a device result: measured tokens/s as a share of the bandwidth limit. */
export function deviceEfficiencySample(
  tokensPerSecond: number,
  tokensPerSecondStddev: number | null,
  weightBytesPerToken: number,
  bandwidthBytesPerSecond: number,
): EfficiencySample {
  const limit = bandwidthBytesPerSecond / weightBytesPerToken;
  return {
    value: tokensPerSecond / limit,
    stddev: tokensPerSecondStddev === null ? null : tokensPerSecondStddev / limit,
  };
}

/** No share above the whole bandwidth. */
function capShare(value: number): number {
  return Math.min(1, value);
}

/**
 * Low/high over the samples, each widened by its own spread; typical is their median. A spread so
 * wide that the low end would reach zero stops at half the lowest sample.
 */
function rangeOfSamples(samples: readonly EfficiencySample[]): {
  low: number;
  typical: number;
  high: number;
} {
  const values = samples.map((s) => s.value);
  const lows = samples.map((s) => s.value - spreadSigmas * (s.stddev ?? 0));
  const highs = samples.map((s) => s.value + spreadSigmas * (s.stddev ?? 0));
  return {
    low: Math.max(Math.min(...lows), Math.min(...values) / 2),
    typical: percentile(values, 50),
    high: Math.max(...highs),
  };
}

/**
 * The efficiency range for a device: from its own results when there are any (the correction once
 * real results exist), else from this machine's benchmarks, else the default.
 */
export function efficiencyRange(
  deviceSamples: readonly EfficiencySample[],
  machineSamples: readonly EfficiencySample[],
): EfficiencyRange {
  if (deviceSamples.length > 0) {
    const r = rangeOfSamples(deviceSamples);
    return {
      low: capShare(r.low),
      typical: capShare(r.typical),
      high: capShare(r.high),
      basis: "device",
      samples: deviceSamples.length,
    };
  }
  if (machineSamples.length > 0) {
    const r = rangeOfSamples(machineSamples);
    const { low, high } = machineToDeviceTransfer;
    return {
      low: capShare(r.low * low),
      typical: capShare((r.typical * (low + high)) / 2),
      high: capShare(r.high * high),
      basis: "this-machine",
      samples: machineSamples.length,
    };
  }
  const { low, high } = defaultEfficiency;
  return { low, typical: (low + high) / 2, high, basis: "default", samples: 0 };
}

/** What the prediction needs to know about a variant. */
export interface PredictedVariant {
  readonly modelId: string | null;
  readonly label: string;
  readonly path: string;
  readonly shape: FitModelShape;
  readonly weightBytesPerToken: number;
  readonly nodeLlamaCppEstimate?: { bytes: number; contextSize: number } | null;
}

/**
 * Generation speed as a range: the low end reads the weights plus `kvBytes` of KV cache per token at
 * the low efficiency, the high end the weights alone at the high efficiency.
 */
export function generationRange(
  bandwidthBytesPerSecond: number,
  efficiency: Pick<EfficiencyRange, "low" | "high">,
  weightBytesPerToken: number,
  kvBytes: number,
): { lowTokensPerSecond: number; highTokensPerSecond: number } {
  return {
    lowTokensPerSecond: (bandwidthBytesPerSecond * efficiency.low) / (weightBytesPerToken + kvBytes),
    highTokensPerSecond: (bandwidthBytesPerSecond * efficiency.high) / weightBytesPerToken,
  };
}

export function predictOnDevice(
  variant: PredictedVariant,
  device: DeviceProfile,
  contextSize: number,
  efficiency: EfficiencyRange,
): VariantPrediction {
  const estimate = estimateMemory(variant.shape, contextSize);
  const usable = device.usableMemoryBytes.value;
  const bandwidth = device.memoryBandwidth.value;
  return {
    modelId: variant.modelId,
    label: variant.label,
    path: variant.path,
    fileBytes: variant.shape.fileBytes,
    memory: {
      weightsBytes: estimate.modelBytes,
      kvCacheBytes: estimate.kvCacheBytes,
      computeBytes: estimate.computeBytes,
      overheadBytes: estimate.overheadBytes,
      totalBytes: estimate.totalBytes,
    },
    usableBytes: usable,
    marginBytes: usable - estimate.totalBytes,
    fit: fitVerdict(estimate.totalBytes, usable).level,
    estimated: [
      ...(estimate.guessed.length > 0 ? [`KV cache (guessed ${estimate.guessed.join(", ")})`] : []),
      "compute buffer",
      "runtime overhead",
      `usable memory (${device.usableMemoryBytes.basis})`,
    ],
    generation: {
      ...generationRange(bandwidth, efficiency, variant.weightBytesPerToken, estimate.kvCacheBytes),
      weightBytesPerToken: variant.weightBytesPerToken,
      kvBytesPerTokenAtContext: estimate.kvCacheBytes,
    },
    nodeLlamaCppEstimate: variant.nodeLlamaCppEstimate ?? null,
  };
}
