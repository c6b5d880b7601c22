// What the llama.cpp build for this machine buys on its CPU: for each variant, its newest benchmark on
// the prebuilt binaries and on the local build side by side (pp/tg tokens/s with their spread), the
// ratio, and whether the difference is beyond the noise of the repetitions — the same math as
// `cwb bench --compare-builds` (shared/metrics/compareBuildMetrics.ts).
import type { VariantBuildRuns } from "../../../shared/domain/buildComparison.js";
import { compareBuildMetrics, type BuildMetricPair } from "../../../shared/metrics/compareBuildMetrics.js";
import { formatMetricWithSpread } from "../../../shared/metrics/formatMetric.js";
import { verdictWords } from "../../../shared/metrics/metricDifference.js";
import { Notice } from "../../components/Notice.js";
import { useCall } from "../../hooks/useCall.js";
import { remedyAsControl } from "../../errorWords.js";

const verdictTone: Record<BuildMetricPair["verdict"], string> = {
  higher: "text-emerald-700",
  lower: "text-red-700",
  same: "text-zinc-500",
  unknown: "text-zinc-400",
};

export function BuildComparisonPanel({ experimentId }: { experimentId: string }) {
  const comparison = useCall("experiments.buildComparison", { id: experimentId }, ["experiments.changed"]);
  if (comparison.error)
    return <Notice tone="error">Could not read the benchmarks: {comparison.error.message}</Notice>;
  const data = comparison.data;
  if (!data) return <p className="px-4 py-6 text-sm text-zinc-500">Loading…</p>;
  if (!data.anyLocalRun)
    return (
      <p className="px-4 py-4 text-sm text-zinc-600" data-testid="build-comparison-empty">
        No variant has been benchmarked on llama.cpp built for this machine yet. To see what that build buys
        on this CPU: {remedyAsControl("build-llama-for-machine")}, then benchmark with “Built for this
        machine” chosen as the llama.cpp binaries.
      </p>
    );
  const measured = data.variants.filter((variant) => variant.local || variant.prebuilt);
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-[13px]" data-testid="build-comparison">
        <thead className="border-b border-zinc-200 bg-zinc-50/60 text-left text-xs text-zinc-500">
          <tr>
            <th className="px-4 py-2 font-medium">Variant</th>
            <th className="px-3 py-2 font-medium">Metric</th>
            <th className="px-3 py-2 text-right font-medium">Prebuilt</th>
            <th className="px-3 py-2 text-right font-medium">Built for this machine</th>
            <th className="px-3 py-2 text-right font-medium">Local / prebuilt</th>
            <th className="px-3 py-2 font-medium">Difference</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-zinc-100">
          {measured.map((variant) => (
            <VariantRows key={`${variant.modelId}/${variant.machine?.id ?? ""}`} variant={variant} />
          ))}
        </tbody>
      </table>
      <p className="border-t border-zinc-200 px-4 py-2 text-xs text-zinc-500">
        Mean ± standard deviation over the repetitions. A difference counts only beyond twice its standard
        error; otherwise it is within the noise.
      </p>
    </div>
  );
}

function VariantCell({ variant, rowSpan }: { variant: VariantBuildRuns; rowSpan?: number }) {
  const threads = variant.local?.threads ?? variant.prebuilt?.threads;
  return (
    <td className="whitespace-nowrap px-4 py-2 align-top" rowSpan={rowSpan}>
      <span className="font-medium text-zinc-900">{variant.label}</span>
      <span className="block text-xs text-zinc-500">
        {variant.machine?.cpu}
        {threads ? ` · ${threads} threads` : ""}
      </span>
      {variant.prebuilt && variant.local && (
        <span className="block max-w-[16rem] truncate text-xs text-zinc-400" title={variant.local.build}>
          {variant.prebuilt.build} against {variant.local.build}
        </span>
      )}
    </td>
  );
}

function VariantRows({ variant }: { variant: VariantBuildRuns }) {
  const { prebuilt, local } = variant;
  if (!prebuilt || !local)
    return (
      <tr data-testid="build-comparison-missing" data-label={variant.label}>
        <VariantCell variant={variant} />
        <td colSpan={5} className="px-3 py-2 text-zinc-500">
          {local
            ? "No benchmark on the prebuilt binaries with the same thread count."
            : "Not benchmarked on the build for this machine yet."}
        </td>
      </tr>
    );
  const pairs = compareBuildMetrics(prebuilt.metrics, local.metrics);
  return (
    <>
      {pairs.map((pair, index) => (
        <tr
          key={pair.name}
          data-testid="build-comparison-row"
          data-label={variant.label}
          data-metric={pair.name}
          data-verdict={pair.verdict}
        >
          {index === 0 && <VariantCell variant={variant} rowSpan={pairs.length} />}
          <td className="px-3 py-2 font-mono text-xs text-zinc-700">{pair.name}</td>
          <td className="whitespace-nowrap px-3 py-2 text-right tabular-nums" data-testid="prebuilt-value">
            {formatMetricWithSpread(pair.prebuilt)}
          </td>
          <td className="whitespace-nowrap px-3 py-2 text-right tabular-nums" data-testid="local-value">
            {formatMetricWithSpread(pair.local)}
          </td>
          <td className="px-3 py-2 text-right tabular-nums" data-testid="build-ratio">
            {pair.ratio === null ? "—" : `${pair.ratio.toFixed(2)}×`}
          </td>
          <td className={`px-3 py-2 ${verdictTone[pair.verdict]}`} data-testid="build-verdict">
            {verdictWords[pair.verdict]}
          </td>
        </tr>
      ))}
    </>
  );
}
