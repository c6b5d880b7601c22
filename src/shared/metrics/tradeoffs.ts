// The trade-offs every comparison shows: which rows are on the Pareto fronts of size, generation
// speed and peak memory against KL divergence from the base. Shared by the CLI table, the reports
// and the Compare screen so they can never disagree. Speed and memory are means over repetitions:
// a row beats another on them only beyond noise (Welch's t-test, significance.ts), so no row is put
// on a front, or pushed off one, by a difference the repetitions cannot support.
import type { ExperimentRow } from "../domain/experiment.js";
import { spreadOf } from "./experimentColumns.js";
import { exactJudge, frontBeyondNoise, type Direction, type Judge } from "./pareto.js";
import { compareMeasured, type Measured } from "./significance.js";

type RowCore = Omit<ExperimentRow, "front">;

/** The base has no divergence from itself: it counts as KLD 0, so it anchors every front. */
function kldOf(row: RowCore): number | null {
  return row.isBase ? 0 : row.kldMean;
}

/** A mean over repetitions, with its spread when it has one. */
function measuredField(row: RowCore, field: "tgTokensPerSecond" | "peakRssBytes"): Measured | null {
  const value = row[field];
  if (value === null) return null;
  const spread = spreadOf(row as ExperimentRow, field);
  return { mean: value, stddev: spread?.stddev ?? null, samples: spread?.samples ?? 1 };
}

/** Better or worse only beyond noise; without a spread on both sides nothing can be told: "same". */
export function measuredJudge<T>(value: (item: T) => Measured | null, direction: Direction): Judge<T> {
  return (a, b) => {
    const ma = value(a);
    const mb = value(b);
    if (ma === null || mb === null) return null;
    const verdict = compareMeasured(mb, ma); // a relative to b
    if (verdict === "same" || verdict === "unknown") return "same";
    return (verdict === "higher") === (direction === "maximize") ? "better" : "worse";
  };
}

export const tradeoffAxes = {
  sizeVsKld: {
    x: (r: RowCore) => r.sizeBytes,
    judge: exactJudge<RowCore>({ value: (r) => r.sizeBytes, direction: "minimize" }),
  },
  speedVsKld: {
    x: (r: RowCore) => r.tgTokensPerSecond,
    judge: measuredJudge<RowCore>((r) => measuredField(r, "tgTokensPerSecond"), "maximize"),
  },
  memoryVsKld: {
    x: (r: RowCore) => r.peakRssBytes,
    judge: measuredJudge<RowCore>((r) => measuredField(r, "peakRssBytes"), "minimize"),
  },
} as const;

export type TradeoffAxis = keyof typeof tradeoffAxes;

export function withFronts(rows: readonly RowCore[]): ExperimentRow[] {
  const kld = exactJudge<RowCore>({ value: kldOf, direction: "minimize" });
  const fronts = Object.fromEntries(
    (Object.keys(tradeoffAxes) as TradeoffAxis[]).map((axis) => [
      axis,
      new Set(frontBeyondNoise(rows, tradeoffAxes[axis].judge, kld)),
    ]),
  ) as Record<TradeoffAxis, Set<RowCore>>;
  return rows.map((row) => ({
    ...row,
    front: {
      sizeVsKld: fronts.sizeVsKld.has(row),
      speedVsKld: fronts.speedVsKld.has(row),
      memoryVsKld: fronts.memoryVsKld.has(row),
    },
  }));
}
