// The trade-offs every comparison shows: which rows are on the Pareto fronts of size, generation
// speed and peak memory against KL divergence from the base. Shared by the CLI table, the reports
// and the Compare screen so they can never disagree.
import type { ExperimentRow } from "../domain/experiment.js";
import { paretoFront, type Objective } from "./pareto.js";

type RowCore = Omit<ExperimentRow, "front">;

/** The base has no divergence from itself: it counts as KLD 0, so it anchors every front. */
function kldOf(row: RowCore): number | null {
  return row.isBase ? 0 : row.kldMean;
}

export const tradeoffAxes = {
  sizeVsKld: { x: (r: RowCore) => r.sizeBytes, xDirection: "minimize" },
  speedVsKld: { x: (r: RowCore) => r.tgTokensPerSecond, xDirection: "maximize" },
  memoryVsKld: { x: (r: RowCore) => r.peakRssBytes, xDirection: "minimize" },
} as const;

export type TradeoffAxis = keyof typeof tradeoffAxes;

export function withFronts(rows: readonly RowCore[]): ExperimentRow[] {
  const kld: Objective<RowCore> = { value: kldOf, direction: "minimize" };
  const fronts = Object.fromEntries(
    (Object.keys(tradeoffAxes) as TradeoffAxis[]).map((axis) => {
      const { x, xDirection } = tradeoffAxes[axis];
      return [axis, new Set(paretoFront(rows, { value: x, direction: xDirection }, kld))];
    }),
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
