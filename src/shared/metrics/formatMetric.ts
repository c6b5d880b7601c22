// One metric value as people read it, chosen by its unit, so the CLI and the screens agree:
// "412 tok/s", "23.4 ms", "215 MB", "11.9 GB/s", "-43.6 %".
import type { Metric } from "../domain/run.js";
import { formatBytes, formatDuration, formatPercent, formatTokensPerSecond } from "../format.js";

export function formatMetricValue(value: number | null | undefined, unit: string): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "—";
  switch (unit) {
    case "tok/s":
      return formatTokensPerSecond(value);
    case "ms":
      return formatDuration(value / 1000);
    case "s":
      return formatDuration(value);
    case "B":
      return formatBytes(value);
    case "B/s":
      return `${formatBytes(value)}/s`;
    case "ratio":
      return formatPercent(value);
    default:
      return `${Number(value.toPrecision(4))} ${unit}`.trim();
  }
}

/** The value with its spread over the repetitions: "412 tok/s ± 9.1 tok/s" (no spread: the value). */
export function formatMetricWithSpread(metric: Pick<Metric, "value" | "unit" | "stddev">): string {
  const value = formatMetricValue(metric.value, metric.unit);
  return metric.stddev === null ? value : `${value} ± ${formatMetricValue(metric.stddev, metric.unit)}`;
}

/** stddev / |value| as a percentage, or "—" when there is no spread to report. */
export function formatCoefficientOfVariation(value: number, stddev: number | null): string {
  if (stddev === null || value === 0 || !Number.isFinite(stddev)) return "—";
  return formatPercent(stddev / Math.abs(value));
}
