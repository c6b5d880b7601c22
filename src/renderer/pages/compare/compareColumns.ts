// Every metric of an experiment row as a table column: its label, unit, precision and which way is
// better. Pure data and functions, shared by the Compare table, its sorting and the tests.
import type { ExperimentRow } from "../../../shared/domain/experiment.js";
import {
  formatBitsPerWeight,
  formatBytes,
  formatKld,
  formatMilliseconds,
  formatPercent,
  formatPerplexity,
  formatTokensPerSecondFixed,
} from "../../../shared/format.js";

export type ColumnGroup = "variant" | "file" | "speed" | "memory" | "quality";

export interface CompareColumn {
  readonly key: string;
  readonly label: string;
  /** Shown under the label so every number carries its unit. */
  readonly unit: string;
  readonly group: ColumnGroup;
  /** The value sorted by (numbers compare numerically; null sorts last either way). */
  readonly value: (row: ExperimentRow) => number | string | null;
  readonly format: (row: ExperimentRow) => string;
  /** Which direction is better, for highlighting the best value; null for labels. */
  readonly better: "lower" | "higher" | null;
  readonly title?: string;
}

const bytes = (v: number | null) => formatBytes(v);

export const compareColumns: readonly CompareColumn[] = [
  {
    key: "label",
    label: "Variant",
    unit: "",
    group: "variant",
    value: (r) => r.label,
    format: (r) => r.label,
    better: null,
  },
  {
    key: "size",
    label: "Size",
    unit: "MB/GB",
    group: "file",
    value: (r) => r.sizeBytes,
    format: (r) => bytes(r.sizeBytes),
    better: "lower",
  },
  {
    key: "bpw",
    label: "Bits/weight",
    unit: "bpw",
    group: "file",
    value: (r) => r.bitsPerWeight,
    format: (r) => formatBitsPerWeight(r.bitsPerWeight),
    better: "lower",
  },
  {
    key: "tg",
    label: "Generation",
    unit: "tok/s",
    group: "speed",
    value: (r) => r.tgTokensPerSecond,
    format: (r) => formatTokensPerSecondFixed(r.tgTokensPerSecond),
    better: "higher",
  },
  {
    key: "ppShort",
    label: "Prompt (short)",
    unit: "tok/s",
    group: "speed",
    value: (r) => r.ppShortTokensPerSecond,
    format: (r) => formatTokensPerSecondFixed(r.ppShortTokensPerSecond),
    better: "higher",
  },
  {
    key: "ppLong",
    label: "Prompt (long)",
    unit: "tok/s",
    group: "speed",
    value: (r) => r.ppLongTokensPerSecond,
    format: (r) => formatTokensPerSecondFixed(r.ppLongTokensPerSecond),
    better: "higher",
  },
  {
    key: "ttft",
    label: "TTFT p50",
    unit: "ms",
    group: "speed",
    value: (r) => r.ttftP50Ms,
    format: (r) => formatMilliseconds(r.ttftP50Ms),
    better: "lower",
    title: "Time to first token, median",
  },
  {
    key: "ttft95",
    label: "TTFT p95",
    unit: "ms",
    group: "speed",
    value: (r) => r.ttftP95Ms,
    format: (r) => formatMilliseconds(r.ttftP95Ms),
    better: "lower",
  },
  {
    key: "itl99",
    label: "ITL p99",
    unit: "ms",
    group: "speed",
    value: (r) => r.itlP99Ms,
    format: (r) => formatMilliseconds(r.itlP99Ms),
    better: "lower",
    title: "Inter-token latency, 99th percentile",
  },
  {
    key: "loadCold",
    label: "Load (cold)",
    unit: "ms",
    group: "speed",
    value: (r) => r.loadColdMs,
    format: (r) => formatMilliseconds(r.loadColdMs),
    better: "lower",
  },
  {
    key: "peakRss",
    label: "Peak memory",
    unit: "MB/GB",
    group: "memory",
    value: (r) => r.peakRssBytes,
    format: (r) => bytes(r.peakRssBytes),
    better: "lower",
    title: "Peak resident memory of the benchmark process",
  },
  {
    key: "ppl",
    label: "PPL",
    unit: "",
    group: "quality",
    value: (r) => r.ppl,
    format: (r) => formatPerplexity(r.ppl, r.pplUncertainty),
    better: "lower",
    title: "Perplexity on the evaluation text, ± its standard error",
  },
  {
    key: "pplRatio",
    label: "PPL ratio",
    unit: "× base",
    group: "quality",
    value: (r) => r.pplRatio,
    format: (r) => (r.pplRatio === null ? "—" : r.pplRatio.toFixed(4)),
    better: "lower",
  },
  {
    key: "kld",
    label: "KLD mean",
    unit: "nats",
    group: "quality",
    value: (r) => r.kldMean,
    format: (r) => formatKld(r.kldMean),
    better: "lower",
    title: "Mean KL divergence from the base's token distributions",
  },
  {
    key: "kld99",
    label: "KLD p99",
    unit: "nats",
    group: "quality",
    value: (r) => r.kldP99,
    format: (r) => formatKld(r.kldP99),
    better: "lower",
  },
  {
    key: "sameTop",
    label: "Same top token",
    unit: "%",
    group: "quality",
    value: (r) => r.sameTopPercent,
    format: (r) => formatPercent(r.sameTopPercent === null ? null : r.sameTopPercent / 100),
    better: "higher",
  },
];

export interface RowSort {
  readonly key: string;
  readonly descending: boolean;
}

function compareValues(a: number | string | null, b: number | string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  if (typeof a === "number" && typeof b === "number") return a - b;
  return String(a).localeCompare(String(b), undefined, { numeric: true });
}

/** Sorted copy; missing values stay last in both directions, ties keep the experiment's order. */
export function sortRows(rows: readonly ExperimentRow[], sort: RowSort): ExperimentRow[] {
  const column = compareColumns.find((c) => c.key === sort.key);
  if (!column) return [...rows];
  return rows
    .map((row, index) => ({ row, index }))
    .sort((a, b) => {
      const va = column.value(a.row);
      const vb = column.value(b.row);
      if (va === null || vb === null) return compareValues(va, vb) || a.index - b.index;
      const order = compareValues(va, vb);
      return (sort.descending ? -order : order) || a.index - b.index;
    })
    .map(({ row }) => row);
}

export interface RowFilter {
  /** Case-insensitive substring of the label or quant type. */
  readonly text: string;
  /** Only rows on this Pareto front. */
  readonly front: keyof ExperimentRow["front"] | null;
  /** Only variants with everything measured (speed and quality). */
  readonly measuredOnly: boolean;
}

export function filterRows(rows: readonly ExperimentRow[], filter: RowFilter): ExperimentRow[] {
  const needle = filter.text.trim().toLowerCase();
  return rows.filter((row) => {
    if (needle && !`${row.label} ${row.quantType ?? ""}`.toLowerCase().includes(needle)) return false;
    if (filter.front && !row.front[filter.front]) return false;
    if (filter.measuredOnly && (row.tgTokensPerSecond === null || row.kldMean === null)) return false;
    return true;
  });
}

/** The key of the row with the best value in each column (for a subtle highlight), when 2+ rows have one. */
export function bestByColumn(rows: readonly ExperimentRow[]): Map<string, string> {
  const best = new Map<string, string>();
  for (const column of compareColumns) {
    if (!column.better) continue;
    const measured = rows.filter((r) => typeof column.value(r) === "number" && !r.isBase);
    if (measured.length < 2) continue;
    const winner = measured.reduce((a, b) => {
      const va = column.value(a) as number;
      const vb = column.value(b) as number;
      return (column.better === "lower" ? vb < va : vb > va) ? b : a;
    });
    best.set(column.key, winner.modelId);
  }
  return best;
}
