// The three Pareto plots of the Compare screen (size, generation speed and peak memory against KL
// divergence): which rows can be drawn, and the front as a line through its points. The front
// membership itself comes from shared/metrics/tradeoffs.ts (computed by the server, same code).
import type { ExperimentRow } from "../../../shared/domain/experiment.js";
import {
  formatBytes,
  formatKld,
  formatTokensPerSecondFixed,
  formatWithSpread,
} from "../../../shared/format.js";
import { spreadOf } from "../../../shared/metrics/experimentColumns.js";
import type { TradeoffAxis } from "../../../shared/metrics/tradeoffs.js";

export interface TradeoffPlot {
  readonly axis: TradeoffAxis;
  readonly title: string;
  readonly xLabel: string;
  readonly x: (row: ExperimentRow) => number | null;
  /** The x value's standard deviation over repetitions, when it is a mean over two or more. */
  readonly xSpread: (row: ExperimentRow) => number | null;
  readonly formatX: (value: number) => string;
  /** Axis values are shown in this unit (echarts needs plain numbers). */
  readonly xScale: { readonly divisor: number; readonly unit: string };
  readonly better: string;
}

export const tradeoffPlots: readonly TradeoffPlot[] = [
  {
    axis: "sizeVsKld",
    title: "File size vs KL divergence",
    xLabel: "File size",
    x: (r) => r.sizeBytes,
    xSpread: () => null,
    formatX: (v) => formatBytes(v),
    xScale: { divisor: 1e6, unit: "MB" },
    better: "lower left is better",
  },
  {
    axis: "speedVsKld",
    title: "Generation speed vs KL divergence",
    xLabel: "Generation",
    x: (r) => r.tgTokensPerSecond,
    xSpread: (r) => spreadOf(r, "tgTokensPerSecond")?.stddev ?? null,
    formatX: (v) => formatTokensPerSecondFixed(v),
    xScale: { divisor: 1, unit: "tok/s" },
    better: "lower right is better",
  },
  {
    axis: "memoryVsKld",
    title: "Peak memory vs KL divergence",
    xLabel: "Peak memory",
    x: (r) => r.peakRssBytes,
    xSpread: (r) => spreadOf(r, "peakRssBytes")?.stddev ?? null,
    formatX: (v) => formatBytes(v),
    xScale: { divisor: 1e6, unit: "MB" },
    better: "lower left is better",
  },
];

/** The base counts as KLD 0: it is the reference every variant diverges from. */
export function kldOf(row: ExperimentRow): number | null {
  return row.isBase ? 0 : row.kldMean;
}

export interface PlotPoint {
  readonly modelId: string;
  readonly label: string;
  readonly x: number;
  /** Standard deviation of x over repetitions (drawn as an error bar); null when unknown. */
  readonly xSpread: number | null;
  readonly y: number;
  readonly onFront: boolean;
  readonly isBase: boolean;
  /** A mix chosen by the search rather than a stock type (drawn as a diamond). */
  readonly searched: boolean;
}

/** Rows with both coordinates measured; the others cannot be placed and are counted instead. */
export function plotPoints(
  rows: readonly ExperimentRow[],
  plot: TradeoffPlot,
): { points: PlotPoint[]; missing: number } {
  const points: PlotPoint[] = [];
  let missing = 0;
  for (const row of rows) {
    const x = plot.x(row);
    const y = kldOf(row);
    if (x === null || y === null || !Number.isFinite(x) || !Number.isFinite(y)) {
      missing++;
      continue;
    }
    points.push({
      modelId: row.modelId,
      label: row.label,
      x,
      xSpread: plot.xSpread(row),
      y,
      onFront: row.front[plot.axis],
      isBase: row.isBase,
      searched: row.searched === true,
    });
  }
  return { points, missing };
}

/** Front points ordered along the x axis, so a line drawn through them is the front's staircase. */
export function frontLine(points: readonly PlotPoint[]): PlotPoint[] {
  return points.filter((p) => p.onFront).sort((a, b) => a.x - b.x || a.y - b.y);
}

export function describePoint(point: PlotPoint, plot: TradeoffPlot): string {
  const x = formatWithSpread((v) => (v === null ? "" : plot.formatX(v)), point.x, point.xSpread);
  return `${point.label}${point.searched ? " (searched mix)" : ""}: ${x}, KLD ${formatKld(point.y)}${point.onFront ? " (Pareto front)" : ""}`;
}
