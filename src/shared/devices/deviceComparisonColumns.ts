// A device's columns next to an experiment's (the Compare screen, the reports): measured numbers
// where the device has results, marked so and with their spread; predictions elsewhere, marked so
// and as ranges; the predicted-vs-measured error. Text columns for tables people read, raw columns
// for CSV.
import type {
  DeviceComparison,
  DeviceComparisonRow,
  MeasuredSpeed,
  PredictionCheck,
} from "../domain/deviceComparison.js";
import { formatPercent, formatTokensPerSecond } from "../format.js";
import { describeGenerationRange, describeMargin, describeSpeedRange } from "./describeDevice.js";

/** "12.3 tok/s ± 0.41 tok/s (n=5)". */
export function describeMeasuredSpeed(speed: MeasuredSpeed): string {
  const spread = speed.stddev === null ? "" : ` ± ${formatTokensPerSecond(speed.stddev)}`;
  const count = speed.samples === null ? "" : ` (n=${speed.samples})`;
  return `${formatTokensPerSecond(speed.tokensPerSecond)}${spread}${count}`;
}

/** "+23.4 %, outside 8.1–15.2 tok/s". */
export function describeCheck(check: PredictionCheck): string {
  const sign = check.error >= 0 ? "+" : "−";
  const where = check.inside ? "inside" : "outside";
  return `${sign}${formatPercent(Math.abs(check.error))}, ${where} ${describeSpeedRange(check.lowTokensPerSecond, check.highTokensPerSecond)}`;
}

export function describeDeviceGeneration(row: DeviceComparisonRow, deviceName: string): string {
  const { generation } = row.measured;
  if (generation) return `measured on ${deviceName}: ${describeMeasuredSpeed(generation)}`;
  return describeGenerationRange(row.prediction);
}

export function describeDevicePrompt(row: DeviceComparisonRow, deviceName: string): string {
  const { prompt } = row.measured;
  return prompt ? `measured on ${deviceName}: ${describeMeasuredSpeed(prompt)}` : "not predicted";
}

export function describeDeviceFit(row: DeviceComparisonRow): string {
  return `${row.prediction.fit} (${describeMargin(row.prediction.marginBytes)})`;
}

/** What every device table says under it: which numbers are measured, which predicted, how the error is made. */
export function deviceComparisonNotes(comparison: DeviceComparison): string[] {
  const { device } = comparison;
  return [
    `Device: ${device.name} (${device.id}). "measured on ${device.name}" numbers are results imported for it (mean ± standard deviation over the repetitions, n = repetitions); every other device number is a prediction, given as a range.`,
    `Fit and predicted generation at a context of ${comparison.contextSize} tokens (the range runs from a full context to an empty one); prompt processing is not predicted.`,
    "Predicted vs measured: measured generation / the middle of the predicted range − 1, against a prediction made without that variant's own results (leave-one-out: the other variants measured on the device, else this machine's benchmarks or the default efficiency), at an empty context like the measurement.",
  ];
}

export interface DeviceTextColumn {
  readonly label: (deviceName: string) => string;
  readonly format: (row: DeviceComparisonRow, deviceName: string) => string;
}

export const deviceTextColumns: readonly DeviceTextColumn[] = [
  { label: (name) => `Fits on ${name}`, format: describeDeviceFit },
  { label: (name) => `Generation on ${name}`, format: describeDeviceGeneration },
  { label: (name) => `Prompt on ${name}`, format: describeDevicePrompt },
  {
    label: () => "Predicted vs measured",
    format: (row) => (row.check ? describeCheck(row.check) : "—"),
  },
];

export interface DeviceCsvColumn {
  readonly key: string;
  readonly unit: string;
  readonly value: (row: DeviceComparisonRow) => number | string | boolean | null;
}

export const deviceCsvColumns: readonly DeviceCsvColumn[] = [
  { key: "device_fit", unit: "", value: (r) => r.prediction.fit },
  { key: "device_margin", unit: "B", value: (r) => r.prediction.marginBytes },
  { key: "device_tg_measured", unit: "tok/s", value: (r) => r.measured.generation?.tokensPerSecond ?? null },
  { key: "device_tg_measured_stddev", unit: "tok/s", value: (r) => r.measured.generation?.stddev ?? null },
  { key: "device_tg_measured_samples", unit: "", value: (r) => r.measured.generation?.samples ?? null },
  { key: "device_tg_predicted_low", unit: "tok/s", value: (r) => r.prediction.generation.lowTokensPerSecond },
  {
    key: "device_tg_predicted_high",
    unit: "tok/s",
    value: (r) => r.prediction.generation.highTokensPerSecond,
  },
  { key: "device_pp_measured", unit: "tok/s", value: (r) => r.measured.prompt?.tokensPerSecond ?? null },
  { key: "device_pp_measured_stddev", unit: "tok/s", value: (r) => r.measured.prompt?.stddev ?? null },
  { key: "device_tg_check_low", unit: "tok/s", value: (r) => r.check?.lowTokensPerSecond ?? null },
  { key: "device_tg_check_high", unit: "tok/s", value: (r) => r.check?.highTokensPerSecond ?? null },
  { key: "device_tg_error", unit: "ratio", value: (r) => r.check?.error ?? null },
  { key: "device_tg_inside", unit: "", value: (r) => r.check?.inside ?? null },
];

/** The device row of a variant, by model id. */
export function deviceRowOf(comparison: DeviceComparison, modelId: string): DeviceComparisonRow | undefined {
  return comparison.rows.find((row) => row.prediction.modelId === modelId);
}
