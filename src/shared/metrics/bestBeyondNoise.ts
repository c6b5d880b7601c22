// Which variant is best in a column, and which are indistinguishable from it. For a mean over
// repetitions (speed, memory) the leader is "best" only when Welch's t-test separates it from every
// other variant (significance.ts); the rest within noise of it are "tied". Shared by the Compare
// screen's highlight and the notes under the CLI table and the reports, so no surface ranks on noise.
import type { ExperimentRow } from "../domain/experiment.js";
import type { ExperimentColumn } from "./experimentColumns.js";
import { compareMeasured } from "./significance.js";

export interface ColumnStanding {
  /** The variant with the best value. */
  readonly leader: ExperimentRow;
  /** The leader when no other variant is within noise of it; null when some are. */
  readonly best: ExperimentRow | null;
  /** Variants indistinguishable from the leader (a spread missing counts as indistinguishable). */
  readonly tied: readonly ExperimentRow[];
  /** How many variants the column has a value for. */
  readonly measured: number;
}

/** The standing of the variants (the base excluded) in one column; null with fewer than two values. */
export function columnStanding(
  rows: readonly ExperimentRow[],
  column: ExperimentColumn,
): ColumnStanding | null {
  if (!column.better) return null;
  const measured = rows.filter((r) => typeof column.value(r) === "number" && !r.isBase);
  if (measured.length < 2) return null;
  const leader = measured.reduce((a, b) => {
    const va = column.value(a) as number;
    const vb = column.value(b) as number;
    return (column.better === "lower" ? vb < va : vb > va) ? b : a;
  });
  const tied = measured.filter((row) => {
    if (row === leader) return false;
    if (!column.measured) return column.value(row) === column.value(leader);
    const verdict = compareMeasured(column.measured(leader)!, column.measured(row)!);
    return verdict === "same" || verdict === "unknown";
  });
  return { leader, best: tied.length === 0 ? leader : null, tied, measured: measured.length };
}

/** The key of the best row in each column, when one is best beyond noise. */
export function bestByColumn(
  rows: readonly ExperimentRow[],
  columns: readonly ExperimentColumn[],
): Map<string, string> {
  const best = new Map<string, string>();
  for (const column of columns) {
    const standing = columnStanding(rows, column);
    if (standing?.best) best.set(column.key, standing.best.modelId);
  }
  return best;
}

/** One line per repeated-measurement column saying what differs beyond noise, for text tables. */
export function noiseNotes(rows: readonly ExperimentRow[], columns: readonly ExperimentColumn[]): string[] {
  const notes: string[] = [];
  for (const column of columns) {
    if (!column.measured) continue;
    const standing = columnStanding(rows, column);
    if (!standing) continue;
    const { leader, tied, measured } = standing;
    const withSpread = rows.filter((r) => !r.isBase && (column.stddev?.(r) ?? null) !== null).length;
    if (withSpread === 0) notes.push(`${column.label}: one measurement per variant, no spread: not ranked`);
    else if (tied.length === measured - 1)
      notes.push(`${column.label}: no variant differs from another beyond noise`);
    else if (tied.length > 0)
      notes.push(
        `${column.label}: best ${leader.label}, within noise of it: ${tied.map((r) => r.label).join(", ")}`,
      );
    else notes.push(`${column.label}: best ${leader.label}, beyond noise`);
  }
  for (const row of rows) {
    if (row.noise && row.noise.length > 0)
      notes.push(`${row.label}: benchmark disturbed (${row.noise.join("; ")})`);
  }
  return notes;
}

/** How the notes' test is worded under every table. */
export const noiseTestNote =
  "± is the standard deviation over repetitions; differences count only when Welch's t-test on the repetitions gives p < 0.05";
