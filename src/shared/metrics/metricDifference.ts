// Whether two measurements of the same quantity differ by more than their noise, and by how much.
// Each is a mean over repetitions with its sample standard deviation; the difference counts as a
// finding only when Welch's t-test on the repetitions says so (significance.ts). Without a spread
// on both sides nothing can be said, and the result says so instead of guessing.
import type { Metric } from "../domain/run.js";
import { compareMeasured, type NoiseVerdict } from "./significance.js";

export interface MetricDifference {
  /** b / a (e.g. local build over prebuilt); null when a is 0. */
  readonly ratio: number | null;
  /** "higher"/"lower": b differs from a beyond the noise; "same": within it; "unknown": no spread. */
  readonly verdict: NoiseVerdict;
}

export function metricDifference(a: Metric, b: Metric): MetricDifference {
  const ratio = a.value === 0 ? null : b.value / a.value;
  const verdict = compareMeasured({ ...a, mean: a.value }, { ...b, mean: b.value });
  return { ratio, verdict };
}

/** A verdict as the CLI and the screens word it. */
export const verdictWords: Readonly<Record<MetricDifference["verdict"], string>> = {
  higher: "higher",
  lower: "lower",
  same: "within noise",
  unknown: "no spread",
};
