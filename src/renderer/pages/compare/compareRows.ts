// Sorting, filtering and best-value marking (beyond noise only) of the Compare table's rows, by the shared experiment
// columns. Pure functions, shared by the table and the tests.
import type { ExperimentRow } from "../../../shared/domain/experiment.js";
import { bestByColumn as bestAmong } from "../../../shared/metrics/bestBeyondNoise.js";
import { compareColumns } from "../../../shared/metrics/experimentColumns.js";

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

/** The key of the row best beyond noise in each column (for a subtle highlight). */
export function bestByColumn(rows: readonly ExperimentRow[]): Map<string, string> {
  return bestAmong(rows, compareColumns);
}
