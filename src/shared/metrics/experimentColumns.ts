// The columns of the experiment summary table, defined once for the Compare screen, the CLI summary
// and the reports (md, csv, html): a key, a label with its unit, the group it belongs to, the raw value
// (csv and sorting), the value formatted for people and which way is better.
import type { ExperimentRow } from "../domain/experiment.js";
import type { Measured } from "./significance.js";
import {
  dash,
  formatBitsPerWeight,
  formatBytes,
  formatKld,
  formatMilliseconds,
  formatPercent,
  formatPerplexity,
  formatTokensPerSecondFixed,
  formatWithSpread,
} from "../format.js";

export type ColumnGroup = "variant" | "file" | "speed" | "memory" | "quality";

/** The Compare screen's table, or the fixed-width text tables (CLI summary, md, csv, html). */
export type ColumnView = "compare" | "report";

export interface ExperimentColumn {
  /** Stable name: the sort key on screen and the csv header. */
  readonly key: string;
  readonly label: string;
  /** Unit of `value` for machine-readable output ("" when dimensionless). */
  readonly unit: string;
  /** Shown under the label on screen so every number carries its unit ("" for none). */
  readonly shownUnit: string;
  readonly group: ColumnGroup;
  /** The raw value (numbers compare numerically; null is "not measured"). */
  readonly value: (row: ExperimentRow) => number | string | null;
  readonly format: (row: ExperimentRow) => string;
  /** Which direction is better, for sorting, alignment and highlighting; null for labels. */
  readonly better: "lower" | "higher" | null;
  readonly title?: string;
  /** Set when the column belongs in one view only; absent means both. */
  readonly only?: ColumnView;
  /**
   * For figures that are means over repetitions (speed, memory): the mean with its spread, so
   * "best" and the fronts can ask whether a difference is beyond noise. Absent: an exact figure.
   */
  readonly measured?: (row: ExperimentRow) => Measured | null;
  /** The spread alone, formatted like the value (csv and the text tables' ± come from here). */
  readonly stddev?: (row: ExperimentRow) => number | null;
}

/** The row's fields that hold a measurement. */
type MetricField = {
  [K in keyof ExperimentRow]-?: ExperimentRow[K] extends number | null ? K : never;
}[keyof ExperimentRow];

interface MetricSpec {
  readonly label: string;
  readonly unit: string;
  readonly shownUnit?: string;
  readonly group: ColumnGroup;
  readonly better: "lower" | "higher";
  readonly format: (value: number | null, row: ExperimentRow) => string;
  readonly title?: string;
  readonly only?: ColumnView;
  /** A mean over repetitions: shown with its spread, ranked only beyond noise. */
  readonly repeated?: true;
}

/** The spread of a row's field, when the field is a mean over two or more samples. */
export function spreadOf(row: ExperimentRow, field: string): { stddev: number; samples: number } | null {
  const spread = row.spread?.[field];
  return spread && spread.samples >= 2 ? spread : null;
}

/** A column showing one measured field of the row. */
function metric(key: string, field: MetricField, spec: MetricSpec): ExperimentColumn {
  const { repeated, ...shown } = spec;
  const column: ExperimentColumn = {
    ...shown,
    key,
    shownUnit: spec.shownUnit ?? spec.unit,
    value: (row) => row[field],
    format: (row) => spec.format(row[field], row),
  };
  if (!repeated) return column;
  return {
    ...column,
    format: (row) =>
      formatWithSpread((value) => spec.format(value, row), row[field], spreadOf(row, field)?.stddev),
    measured: (row) => {
      const value = row[field];
      if (value === null) return null;
      const spread = spreadOf(row, field);
      return { mean: value, stddev: spread?.stddev ?? null, samples: spread?.samples ?? 1 };
    },
    stddev: (row) => spreadOf(row, field)?.stddev ?? null,
  };
}

// Wrapped so the row passed as the second argument never reaches formatBytes' options.
const bytes = (value: number | null) => formatBytes(value);
const ppl = (value: number | null, row: ExperimentRow) => formatPerplexity(value, row.pplUncertainty);
const fixed4 = (value: number | null) => (value === null ? dash : value.toFixed(4));
const percent = (value: number | null) => formatPercent(value === null ? null : value / 100);

function frontMarks(row: ExperimentRow): string {
  const marks = [
    row.front.sizeVsKld ? "size" : "",
    row.front.speedVsKld ? "speed" : "",
    row.front.memoryVsKld ? "memory" : "",
  ].filter(Boolean);
  return marks.join(", ");
}

export const experimentColumns: readonly ExperimentColumn[] = [
  {
    key: "label",
    label: "Variant",
    unit: "",
    shownUnit: "",
    group: "variant",
    value: (r) => r.label,
    // A benchmark that saw interference says so wherever its figures are shown.
    format: (r) => (r.noise && r.noise.length > 0 ? `${r.label} (noisy)` : r.label),
    better: null,
  },
  metric("size", "sizeBytes", {
    label: "Size",
    unit: "B",
    shownUnit: "MB/GB",
    group: "file",
    better: "lower",
    format: bytes,
  }),
  metric("bpw", "bitsPerWeight", {
    label: "Bits/weight",
    unit: "bpw",
    group: "file",
    better: "lower",
    format: formatBitsPerWeight,
  }),
  metric("tg", "tgTokensPerSecond", {
    label: "Generation",
    unit: "tok/s",
    repeated: true,
    group: "speed",
    better: "higher",
    format: formatTokensPerSecondFixed,
    title: "Decode speed measured like llama-bench: one token per decode, no sampling",
  }),
  metric("appTg", "appTgTokensPerSecond", {
    label: "App generation",
    unit: "tok/s",
    repeated: true,
    group: "speed",
    better: "higher",
    format: formatTokensPerSecondFixed,
    title: "Greedy generation through node-llama-cpp, sampling and JS round trips included",
    // On screen only, like the tail latencies below: the text tables are already as wide as a terminal.
    only: "compare",
  }),
  metric("ppShort", "ppShortTokensPerSecond", {
    label: "Prompt (short)",
    unit: "tok/s",
    repeated: true,
    group: "speed",
    better: "higher",
    format: formatTokensPerSecondFixed,
  }),
  metric("ppLong", "ppLongTokensPerSecond", {
    label: "Prompt (long)",
    unit: "tok/s",
    repeated: true,
    group: "speed",
    better: "higher",
    format: formatTokensPerSecondFixed,
  }),
  metric("ttftP50", "ttftP50Ms", {
    label: "TTFT p50",
    unit: "ms",
    group: "speed",
    better: "lower",
    format: formatMilliseconds,
    title: "Time to first token through node-llama-cpp, median",
  }),
  // The two tail latencies stay on screen only: the text tables are already as wide as a terminal.
  metric("ttftP95", "ttftP95Ms", {
    label: "TTFT p95",
    unit: "ms",
    group: "speed",
    better: "lower",
    format: formatMilliseconds,
    only: "compare",
  }),
  metric("itlP99", "itlP99Ms", {
    label: "ITL p99",
    unit: "ms",
    group: "speed",
    better: "lower",
    format: formatMilliseconds,
    title: "Inter-token latency, 99th percentile",
    only: "compare",
  }),
  metric("loadCold", "loadColdMs", {
    label: "Load (cold)",
    unit: "ms",
    group: "speed",
    better: "lower",
    format: formatMilliseconds,
  }),
  metric("peakRss", "peakRssBytes", {
    label: "Peak memory",
    unit: "B",
    shownUnit: "MB/GB",
    repeated: true,
    group: "memory",
    better: "lower",
    format: bytes,
    title:
      "Peak resident memory of the benchmark process: one figure per benchmark run, ± over the runs when a sweep benchmarks in rounds",
  }),
  metric("ppl", "ppl", {
    label: "PPL",
    unit: "",
    group: "quality",
    better: "lower",
    format: ppl,
    title: "Perplexity on the evaluation text, ± its standard error",
  }),
  metric("pplRatio", "pplRatio", {
    label: "PPL ratio",
    unit: "",
    shownUnit: "× base",
    group: "quality",
    better: "lower",
    format: fixed4,
  }),
  metric("kldMean", "kldMean", {
    label: "KLD mean",
    unit: "nat",
    shownUnit: "nats",
    group: "quality",
    better: "lower",
    format: formatKld,
    title: "Mean KL divergence from the base's token distributions",
  }),
  metric("kldP99", "kldP99", {
    label: "KLD p99",
    unit: "nat",
    shownUnit: "nats",
    group: "quality",
    better: "lower",
    format: formatKld,
  }),
  metric("sameTop", "sameTopPercent", {
    label: "Same top token",
    unit: "%",
    group: "quality",
    better: "higher",
    format: percent,
  }),
  // On screen the label cell carries the front marks instead.
  {
    key: "front",
    label: "Pareto front",
    unit: "",
    shownUnit: "",
    group: "variant",
    value: frontMarks,
    format: (r) => frontMarks(r) || dash,
    better: null,
    only: "report",
  },
];

function columnsFor(view: ColumnView): readonly ExperimentColumn[] {
  return experimentColumns.filter((column) => (column.only ?? view) === view);
}

/** The Compare screen's table, in order. */
export const compareColumns = columnsFor("compare");
/** The CLI summary and the md, csv and html reports, in order. */
export const reportColumns = columnsFor("report");
