// Whether two measurements of the same quantity differ by more than their noise, and by how much.
// Each is a mean over repetitions with its sample standard deviation; the difference counts as a
// finding only when it exceeds twice its standard error (about 95 % for normal noise). Without a
// spread on both sides nothing can be said, and the result says so instead of guessing.
import type { Metric } from "../domain/run.js";

export interface MetricDifference {
  /** b / a (e.g. local build over prebuilt); null when a is 0. */
  readonly ratio: number | null;
  /** "higher"/"lower": b differs from a beyond the noise; "same": within it; "unknown": no spread. */
  readonly verdict: "higher" | "lower" | "same" | "unknown";
}

/** Multiples of the difference's standard error that count as a real difference. */
export const noiseMultiple = 2;

function standardError(metric: Metric): number | null {
  if (metric.stddev === null || metric.samples === null || metric.samples < 2) return null;
  return metric.stddev / Math.sqrt(metric.samples);
}

export function metricDifference(a: Metric, b: Metric): MetricDifference {
  const ratio = a.value === 0 ? null : b.value / a.value;
  const seA = standardError(a);
  const seB = standardError(b);
  if (seA === null || seB === null) return { ratio, verdict: "unknown" };
  const difference = b.value - a.value;
  const noise = noiseMultiple * Math.sqrt(seA * seA + seB * seB);
  if (Math.abs(difference) <= noise) return { ratio, verdict: "same" };
  return { ratio, verdict: difference > 0 ? "higher" : "lower" };
}

/** A verdict as the CLI and the screens word it. */
export const verdictWords: Readonly<Record<MetricDifference["verdict"], string>> = {
  higher: "higher",
  lower: "lower",
  same: "within noise",
  unknown: "no spread",
};
