// The same benchmark on two llama.cpp builds (node-llama-cpp's prebuilt binaries and the build for
// this machine), metric by metric: both values, the ratio and whether the difference is beyond the
// noise of the repetitions (metricDifference). `cwb bench --compare-builds` and the Compare screen
// both show this.
import type { Metric } from "../domain/run.js";
import { metricDifference, type MetricDifference } from "./metricDifference.js";

export interface BuildMetricPair extends MetricDifference {
  readonly name: string;
  readonly prebuilt: Metric;
  readonly local: Metric;
}

/** Every metric of `prebuilt` that `local` has too (optionally only those `include` keeps), in its order. */
export function compareBuildMetrics(
  prebuilt: readonly Metric[],
  local: readonly Metric[],
  include: (name: string) => boolean = () => true,
): BuildMetricPair[] {
  return prebuilt.flatMap((metric) => {
    const other = local.find((candidate) => candidate.name === metric.name);
    return other && include(metric.name)
      ? [{ name: metric.name, prebuilt: metric, local: other, ...metricDifference(metric, other) }]
      : [];
  });
}

/** The llama-bench speeds: prompt processing and generation tokens/s ("pp.512", "tg.128"). */
export function isSpeedMetric(name: string): boolean {
  return /^(pp|tg)\.\d+$/.test(name);
}
