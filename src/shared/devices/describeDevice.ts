// Device figures and predictions in words, the same in the CLI and the screens.
import type { DeviceProfile, NumberKind, SourceBasis } from "../domain/deviceProfile.js";
import type { EfficiencyRange, EfficiencySample, VariantPrediction } from "../domain/devicePrediction.js";
import { formatBytes, formatPercent, formatTokensPerSecond } from "../format.js";

export function formatBandwidth(bytesPerSecond: number): string {
  return `${formatBytes(bytesPerSecond)}/s`;
}

/** Memory sizes of devices in GiB, the way RAM is sold (an "8 GB" phone has 8 GiB). */
export function formatDeviceMemory(bytes: number): string {
  return formatBytes(bytes, { binary: true });
}

/** A profile's figure by its kind: RAM in GiB, size limits in decimal units, bandwidth per second. */
export function formatDeviceNumber(kind: NumberKind, value: number): string {
  if (kind === "memory") return formatDeviceMemory(value);
  return kind === "rate" ? formatBandwidth(value) : formatBytes(value);
}

export const basisLabels: Record<SourceBasis, string> = {
  spec: "spec sheet",
  derived: "derived from specs",
  "rule-of-thumb": "rule of thumb",
  measured: "measured",
};

/** "2× performance 3.78 GHz + 4× efficiency 2.11 GHz". */
export function describeCpu(profile: DeviceProfile): string {
  if (!profile.cpu) return "not given";
  return profile.cpu.clusters.map((c) => `${c.cores}× ${c.core} ${c.maxGhz} GHz`).join(" + ");
}

export function describeGpu(profile: DeviceProfile): string {
  if (!profile.gpu) return "not given";
  const apis = profile.gpu.apis.map((api) =>
    api === "opencl" ? "OpenCL" : api[0]!.toUpperCase() + api.slice(1),
  );
  return apis.length > 0 ? `${profile.gpu.name} (${apis.join(", ")})` : profile.gpu.name;
}

/** "4.1–9.8 tok/s". */
export function describeSpeedRange(low: number, high: number): string {
  return `${formatTokensPerSecond(low).replace(" tok/s", "")}–${formatTokensPerSecond(high)}`;
}

/** "predicted 4.1–9.8 tok/s". */
export function describeGenerationRange(prediction: VariantPrediction): string {
  const { lowTokensPerSecond, highTokensPerSecond } = prediction.generation;
  return `predicted ${describeSpeedRange(lowTokensPerSecond, highTokensPerSecond)}`;
}

/** "+1.2 GiB" or "−0.4 GiB". */
export function describeMargin(marginBytes: number): string {
  return `${marginBytes < 0 ? "−" : "+"}${formatDeviceMemory(Math.abs(marginBytes))}`;
}

/** A share with enough decimals to tell small ones apart: "42 %", "2.3 %". */
function formatShare(share: number): string {
  return formatPercent(share, share < 0.1 ? 1 : 0);
}

/** One variant's measured share of the bandwidth limit with its spread: "4.2 % ± 0.3 %". */
export function describeEfficiencySample(sample: EfficiencySample): string {
  const spread = sample.stddev === null ? "" : ` ± ${formatShare(sample.stddev)}`;
  return `${formatShare(sample.value)}${spread}`;
}

export function describeEfficiency(efficiency: EfficiencyRange): string {
  const range = `${formatShare(efficiency.low)}–${formatShare(efficiency.high)} of the bandwidth limit`;
  switch (efficiency.basis) {
    case "device":
      return `${range}, from ${efficiency.samples} result(s) measured on this device`;
    case "this-machine":
      return `${range}, from ${efficiency.samples} CPU benchmark(s) on this machine, widened for another device`;
    case "default":
      return `${range}, the default (no benchmark with a bandwidth measurement yet)`;
  }
}
