// The columns of the experiment summary table, defined once for the CLI, the reports (md, csv, html)
// and the Compare screen: a key, a header with its unit, the raw value (csv/json/sorting) and the
// value formatted for people.
import type { ExperimentRow } from "../domain/experiment.js";
import { dash, formatBitsPerWeight, formatBytes, formatDuration, formatTokensPerSecond } from "../format.js";

export interface ExperimentColumn {
  readonly key: string;
  readonly header: string;
  /** Unit of `value` for machine-readable output ("" when dimensionless). */
  readonly unit: string;
  readonly value: (row: ExperimentRow) => number | string | boolean | null;
  readonly format: (row: ExperimentRow) => string;
  /** Lower is better (for sorting and highlighting); undefined for labels. */
  readonly better?: "lower" | "higher";
}

const fixed = (value: number | null, digits: number, suffix = ""): string =>
  value === null ? dash : `${value.toFixed(digits)}${suffix}`;
const ms = (value: number | null): string => (value === null ? dash : formatDuration(value / 1000));

function frontMarks(row: ExperimentRow): string {
  const marks = [
    row.front.sizeVsKld ? "size" : "",
    row.front.speedVsKld ? "speed" : "",
    row.front.memoryVsKld ? "memory" : "",
  ].filter(Boolean);
  return marks.length > 0 ? marks.join(", ") : "";
}

export const experimentColumns: readonly ExperimentColumn[] = [
  { key: "label", header: "Variant", unit: "", value: (r) => r.label, format: (r) => r.label },
  {
    key: "size",
    header: "Size",
    unit: "B",
    value: (r) => r.sizeBytes,
    format: (r) => formatBytes(r.sizeBytes),
    better: "lower",
  },
  {
    key: "bpw",
    header: "Bits/weight",
    unit: "bpw",
    value: (r) => r.bitsPerWeight,
    format: (r) => formatBitsPerWeight(r.bitsPerWeight),
    better: "lower",
  },
  {
    key: "loadCold",
    header: "Load (cold)",
    unit: "ms",
    value: (r) => r.loadColdMs,
    format: (r) => ms(r.loadColdMs),
    better: "lower",
  },
  {
    key: "ppShort",
    header: "pp short",
    unit: "tok/s",
    value: (r) => r.ppShortTokensPerSecond,
    format: (r) => formatTokensPerSecond(r.ppShortTokensPerSecond),
    better: "higher",
  },
  {
    key: "ppLong",
    header: "pp long",
    unit: "tok/s",
    value: (r) => r.ppLongTokensPerSecond,
    format: (r) => formatTokensPerSecond(r.ppLongTokensPerSecond),
    better: "higher",
  },
  {
    key: "tg",
    header: "tg",
    unit: "tok/s",
    value: (r) => r.tgTokensPerSecond,
    format: (r) => formatTokensPerSecond(r.tgTokensPerSecond),
    better: "higher",
  },
  {
    key: "ttftP50",
    header: "TTFT p50",
    unit: "ms",
    value: (r) => r.ttftP50Ms,
    format: (r) => ms(r.ttftP50Ms),
    better: "lower",
  },
  {
    key: "peakRss",
    header: "Peak RSS",
    unit: "B",
    value: (r) => r.peakRssBytes,
    format: (r) => formatBytes(r.peakRssBytes),
    better: "lower",
  },
  {
    key: "ppl",
    header: "PPL",
    unit: "",
    value: (r) => r.ppl,
    format: (r) =>
      r.ppl === null
        ? dash
        : `${r.ppl.toFixed(3)}${r.pplUncertainty !== null ? ` ± ${r.pplUncertainty.toFixed(3)}` : ""}`,
    better: "lower",
  },
  {
    key: "pplRatio",
    header: "PPL ratio",
    unit: "",
    value: (r) => r.pplRatio,
    format: (r) => fixed(r.pplRatio, 4),
    better: "lower",
  },
  {
    key: "kldMean",
    header: "KLD mean",
    unit: "nat",
    value: (r) => r.kldMean,
    format: (r) => fixed(r.kldMean, 4),
    better: "lower",
  },
  {
    key: "kldP99",
    header: "KLD p99",
    unit: "nat",
    value: (r) => r.kldP99,
    format: (r) => fixed(r.kldP99, 4),
    better: "lower",
  },
  {
    key: "sameTop",
    header: "Same top",
    unit: "%",
    value: (r) => r.sameTopPercent,
    format: (r) => fixed(r.sameTopPercent, 1, " %"),
    better: "higher",
  },
  {
    key: "front",
    header: "Pareto front",
    unit: "",
    value: (r) => frontMarks(r),
    format: (r) => frontMarks(r) || dash,
  },
];
