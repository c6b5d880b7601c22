// What healing bought: at each quant level of a sweep's chain (the unquantized models first), the
// pruned model's variant against the healed one's, by KL divergence and perplexity against the
// original base with 95 % intervals, and whether the difference is beyond the noise of the two
// estimates (metricDifference's test). The Compare screen's healing panel and `cwb report` show it.
import type { ExperimentRow } from "../domain/experiment.js";
import type { Metric } from "../domain/run.js";
import { metricDifference, type MetricDifference } from "./metricDifference.js";

/** A measured figure with its 95 % interval half-width. */
export interface IntervalValue {
  value: number;
  ci95: number;
}

export interface HealingComparison {
  pruned: IntervalValue;
  healed: IntervalValue;
  /** The healed figure against the pruned one: "lower" is what healing is for. */
  verdict: MetricDifference["verdict"];
}

export interface HealingLevel {
  /** The quant type; null for the unquantized pruned and healed models. */
  quantType: string | null;
  /** The original's own variant at this level (none for the unquantized level). */
  original: ExperimentRow | null;
  pruned: ExperimentRow;
  healed: ExperimentRow;
  /** null when either side has no evaluation with an uncertainty. */
  kld: HealingComparison | null;
  ppl: HealingComparison | null;
}

/**
 * metricDifference tests with Welch's t on stddev / √samples. An evaluation's estimate is a mean over
 * thousands of scored positions whose standard error is known, so it is given as that many samples
 * (degrees of freedom large enough that the test is the normal one: |difference| > 1.96 standard
 * errors of the difference), not as the few repetitions of a benchmark.
 */
const evaluationSamples = 10_000;
function asMetric(value: number, uncertainty: number): Metric {
  return {
    name: "",
    value,
    unit: "",
    stddev: uncertainty * Math.sqrt(evaluationSamples),
    samples: evaluationSamples,
  };
}

function compare(
  pruned: number | null,
  prunedUncertainty: number | null,
  healed: number | null,
  healedUncertainty: number | null,
): HealingComparison | null {
  if (pruned === null || healed === null || prunedUncertainty === null || healedUncertainty === null)
    return null;
  return {
    pruned: { value: pruned, ci95: 1.96 * prunedUncertainty },
    healed: { value: healed, ci95: 1.96 * healedUncertainty },
    verdict: metricDifference(asMetric(pruned, prunedUncertainty), asMetric(healed, healedUncertainty))
      .verdict,
  };
}

/** Per quant level with both a pruned and a healed variant, in the rows' order. */
export function healingLevels(rows: readonly ExperimentRow[]): HealingLevel[] {
  const levels: HealingLevel[] = [];
  for (const pruned of rows) {
    if (pruned.stage !== "pruned") continue;
    const healed = rows.find((r) => r.stage === "healed" && r.quantType === pruned.quantType);
    if (!healed) continue;
    const original =
      pruned.quantType === null
        ? null
        : (rows.find((r) => r.stage === "original" && !r.isBase && r.quantType === pruned.quantType) ?? null);
    levels.push({
      quantType: pruned.quantType,
      original,
      pruned,
      healed,
      kld: compare(pruned.kldMean, pruned.kldUncertainty, healed.kldMean, healed.kldUncertainty),
      ppl: compare(pruned.ppl, pruned.pplUncertainty, healed.ppl, healed.pplUncertainty),
    });
  }
  return levels;
}

/** "beyond noise" when the difference exceeds its noise, "within noise", or "no spread". */
export function healingVerdictWords(comparison: HealingComparison | null): string {
  if (!comparison) return "not measured";
  switch (comparison.verdict) {
    case "lower":
      return "healed lower, beyond noise";
    case "higher":
      return "healed higher, beyond noise";
    case "same":
      return "within noise";
    case "unknown":
      return "no spread";
  }
}

/** "0.0123 ± 0.0004" with the figure's precision. */
export function formatInterval(v: IntervalValue, digits: number): string {
  return `${v.value.toFixed(digits)} ± ${v.ci95.toFixed(digits)}`;
}

/** The original's own variant at this level, KLD with its interval (null when not measured). */
export function originalKld(level: HealingLevel): IntervalValue | null {
  const row = level.original;
  if (row?.kldMean == null || row.kldUncertainty == null) return null;
  return { value: row.kldMean, ci95: 1.96 * row.kldUncertainty };
}

/** The healing table as text cells (the report's Markdown and HTML, the CLI). */
export const healingColumns: readonly { label: string; format: (level: HealingLevel) => string }[] = [
  { label: "Quant", format: (l) => l.quantType ?? "unquantized" },
  {
    label: "KLD original",
    format: (l) => {
      const kld = originalKld(l);
      return kld ? formatInterval(kld, 4) : "—";
    },
  },
  { label: "KLD pruned", format: (l) => (l.kld ? formatInterval(l.kld.pruned, 4) : "—") },
  { label: "KLD healed", format: (l) => (l.kld ? formatInterval(l.kld.healed, 4) : "—") },
  { label: "KLD verdict", format: (l) => healingVerdictWords(l.kld) },
  { label: "PPL pruned", format: (l) => (l.ppl ? formatInterval(l.ppl.pruned, 2) : "—") },
  { label: "PPL healed", format: (l) => (l.ppl ? formatInterval(l.ppl.healed, 2) : "—") },
  { label: "PPL verdict", format: (l) => healingVerdictWords(l.ppl) },
];
