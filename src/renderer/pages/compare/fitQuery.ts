// "The best variant that fits N GB at ≥ M tokens/s": among the rows that satisfy both limits, the
// one closest to the base (lowest KL divergence), ties to the smaller file. Built on
// shared/metrics/pareto.ts so the rules for unmeasured values are the same everywhere.
import type { ExperimentRow } from "../../../shared/domain/experiment.js";
import { bestUnderConstraints, satisfies, type Constraint } from "../../../shared/metrics/pareto.js";
import { kldOf } from "./tradeoffPlots.js";

export type MemoryBasis = "peakMemory" | "fileSize";

export interface FitQuery {
  /** Decimal gigabytes (1 GB = 10⁹ bytes, as the table shows sizes). */
  readonly maxGb: number;
  readonly minTokensPerSecond: number;
  /** Measured peak RSS of the benchmark, or just the file size. */
  readonly basis: MemoryBasis;
}

export interface FitAnswer {
  readonly best: ExperimentRow | null;
  /** Every row meeting both limits (the best one included). */
  readonly candidates: readonly ExperimentRow[];
  /** Why nothing matched, in words, when nothing did. */
  readonly reason: string | null;
}

function memoryOf(row: ExperimentRow, basis: MemoryBasis): number | null {
  return basis === "peakMemory" ? row.peakRssBytes : row.sizeBytes;
}

export function answerFitQuery(rows: readonly ExperimentRow[], query: FitQuery): FitAnswer {
  const constraints: Constraint<ExperimentRow>[] = [
    { value: (r) => memoryOf(r, query.basis), max: query.maxGb * 1e9 },
    { value: (r) => r.tgTokensPerSecond, min: query.minTokensPerSecond },
  ];
  const candidates = rows.filter((row) => satisfies(row, constraints));
  const best = bestUnderConstraints(
    rows,
    constraints,
    { value: kldOf, direction: "minimize" },
    { value: (r) => r.sizeBytes, direction: "minimize" },
  );
  if (best) return { best, candidates, reason: null };
  const measuredSpeed = rows.filter((r) => r.tgTokensPerSecond !== null);
  const measuredMemory = rows.filter((r) => memoryOf(r, query.basis) !== null);
  let reason: string;
  if (measuredSpeed.length === 0)
    reason = "No variant has a speed benchmark yet: run the sweep with benchmarks on.";
  else if (measuredMemory.length === 0)
    reason = "No variant has a peak-memory measurement: use the file size instead.";
  else if (candidates.length > 0) reason = "The variants within the limits have no quality evaluation yet.";
  else {
    const fast = rows.filter((r) => (r.tgTokensPerSecond ?? -1) >= query.minTokensPerSecond);
    reason =
      fast.length === 0
        ? `No variant reaches ${query.minTokensPerSecond} tok/s.`
        : `No variant that fast fits in ${query.maxGb} GB.`;
  }
  return { best: null, candidates, reason };
}
