// Which draft speeds a target up most, and which target+draft pair is fastest within a memory
// budget. A draft's rank counts only the drafts faster than it beyond noise (Welch's t-test on the
// speedup's repetitions, significance.ts), so drafts the repetitions cannot tell apart share a rank.
// Greedy speculative output is the target's own, so a pair's quality is its target's.
import type { ExperimentRow, SpeculationRow } from "../domain/experiment.js";
import { dash, formatBytes, formatPercent, formatWithSpread } from "../format.js";
import { compareMeasured, type Measured } from "./significance.js";

export interface BestDraftRow {
  readonly run: SpeculationRow;
  /** 1 + the drafts whose speedup is higher beyond noise (equal ranks: within noise of each other). */
  readonly rank: number;
  /** The only rank-1 draft: faster beyond noise than every other. */
  readonly best: boolean;
  /** Both files together. */
  readonly combinedSizeBytes: number;
}

/** The targets that have speculative runs, in the order of their first run. */
export function speculativeTargets(
  runs: readonly SpeculationRow[],
): { modelId: string; label: string; drafts: number }[] {
  const targets = new Map<string, { modelId: string; label: string; drafts: number }>();
  for (const run of runs) {
    const found = targets.get(run.targetModelId);
    if (found) found.drafts++;
    else targets.set(run.targetModelId, { modelId: run.targetModelId, label: run.targetLabel, drafts: 1 });
  }
  return [...targets.values()];
}

/** Ranks beyond noise: 1 + how many others are higher than `value` beyond their spreads. */
function noiseRanks(values: readonly Measured[]): number[] {
  return values.map(
    (value) =>
      1 + values.filter((other) => other !== value && compareMeasured(value, other) === "higher").length,
  );
}

/** The target's drafts, fastest first, each with its rank beyond noise. */
export function bestDraftTable(runs: readonly SpeculationRow[], targetModelId: string): BestDraftRow[] {
  const mine = runs
    .filter((run) => run.targetModelId === targetModelId)
    .sort((a, b) => b.speedup.mean - a.speedup.mean);
  const ranks = noiseRanks(mine.map((run) => run.speedup));
  const leaders = ranks.filter((rank) => rank === 1).length;
  return mine.map((run, index) => ({
    run,
    rank: ranks[index]!,
    best: ranks[index] === 1 && leaders === 1,
    combinedSizeBytes: run.targetSizeBytes + run.draftSizeBytes,
  }));
}

export type PairMemoryBasis = "measured" | "fileSize";

export interface PairBudgetAnswer {
  /** The fastest pair that fits, with its effective speed. */
  readonly best: {
    run: SpeculationRow;
    tokensPerSecond: Measured;
    memoryBytes: number;
    kld: number | null;
  } | null;
  /** Other pairs that fit and are within noise of the best one's speed. */
  readonly tied: readonly SpeculationRow[];
  /** How many pairs fit the budget. */
  readonly fitting: number;
  /** Why there is no answer, in words, when there is none. */
  readonly reason: string | null;
}

/**
 * The pair's speed: its speedup times the target's own decode speed (the sweep's benchmark when the
 * target has one, else the target alone as the speculative run measured it), with the speedup's
 * relative spread.
 */
export function pairTokensPerSecond(run: SpeculationRow, target: ExperimentRow | undefined): Measured {
  const own = target?.tgTokensPerSecond ?? run.targetTokensPerSecond.mean;
  return {
    mean: run.speedup.mean * own,
    stddev: run.speedup.stddev === null ? null : run.speedup.stddev * own,
    samples: run.speedup.samples,
  };
}

function pairMemory(run: SpeculationRow, basis: PairMemoryBasis): number | null {
  return basis === "fileSize" ? run.targetSizeBytes + run.draftSizeBytes : run.combinedMemoryBytes;
}

/** "The best target+draft pair that fits N GB": the fastest of those whose memory is within it. */
export function bestPairWithinBudget(
  runs: readonly SpeculationRow[],
  rows: readonly ExperimentRow[],
  query: { maxBytes: number; basis: PairMemoryBasis },
): PairBudgetAnswer {
  if (runs.length === 0)
    return { best: null, tied: [], fitting: 0, reason: "No speculative runs: run the sweep with a target." };
  const rowOf = (modelId: string) => rows.find((row) => row.modelId === modelId);
  const fitting = runs
    .map((run) => ({ run, memoryBytes: pairMemory(run, query.basis) }))
    .filter((p): p is { run: SpeculationRow; memoryBytes: number } => p.memoryBytes !== null)
    .filter((p) => p.memoryBytes <= query.maxBytes)
    .map((p) => ({ ...p, tokensPerSecond: pairTokensPerSecond(p.run, rowOf(p.run.targetModelId)) }))
    .sort((a, b) => b.tokensPerSecond.mean - a.tokensPerSecond.mean);
  const leader = fitting[0];
  if (!leader)
    return {
      best: null,
      tied: [],
      fitting: 0,
      reason: `No target+draft pair fits in ${query.maxBytes / 1e9} GB.`,
    };
  const target = rowOf(leader.run.targetModelId);
  const kld = target ? (target.isBase ? 0 : target.kldMean) : null;
  const tied = fitting.slice(1).filter((p) => {
    const verdict = compareMeasured(leader.tokensPerSecond, p.tokensPerSecond);
    return verdict === "same" || verdict === "unknown";
  });
  return {
    best: { run: leader.run, tokensPerSecond: leader.tokensPerSecond, memoryBytes: leader.memoryBytes, kld },
    tied: tied.map((p) => p.run),
    fitting: fitting.length,
    reason: null,
  };
}

/** The best-draft table's columns, for the Compare screen, the CLI summary and the reports. */
export const bestDraftColumns: readonly { label: string; format: (row: BestDraftRow) => string }[] = [
  { label: "Rank", format: (row) => (row.best ? "1 (best)" : String(row.rank)) },
  { label: "Draft", format: (row) => row.run.draftLabel },
  { label: "Draft size", format: (row) => formatBytes(row.run.draftSizeBytes) },
  { label: "Acceptance", format: (row) => formatPercent(row.run.acceptanceRate) },
  {
    label: "Mean accepted length",
    format: (row) =>
      row.run.meanAcceptedLength === null ? dash : `${row.run.meanAcceptedLength.toFixed(2)} tokens`,
  },
  {
    label: "Speedup",
    format: (row) =>
      formatWithSpread(
        (v) => (v === null ? dash : `${v.toFixed(2)} x`),
        row.run.speedup.mean,
        row.run.speedup.stddev,
      ),
  },
  { label: "Target + draft memory", format: (row) => formatBytes(row.run.combinedMemoryBytes) },
  { label: "Target + draft files", format: (row) => formatBytes(row.combinedSizeBytes) },
];

/** Says how the ranks were made, under every best-draft table. */
export const bestDraftNote =
  "Speedup against the target alone, mean ± standard deviation over repetitions; drafts share a rank unless Welch's t-test separates their speedups (two-sided, 5 %). Greedy output is the target's own, so every pair has the target's quality.";
