// One trade-off scatter (a metric against KL divergence): every measured variant as a point, the
// Pareto front as a line through its points, the selected variant ringed. Clicking a point selects
// its row; selecting a row rings its point. A speed or memory point carries its ± as a horizontal
// error bar.
import { useMemo, useRef } from "react";
import type { EChartsCoreOption } from "echarts/core";
import type { ExperimentRow } from "../../shared/domain/experiment.js";
import { formatKld } from "../../shared/format.js";
import { describePoint, frontLine, plotPoints, type TradeoffPlot } from "../pages/compare/tradeoffPlots.js";
import { chartTheme, EChart, valueAxis } from "./EChart.js";

export function ParetoChart({
  plot,
  rows,
  selected,
  onSelect,
}: {
  plot: TradeoffPlot;
  rows: readonly ExperimentRow[];
  selected: ReadonlySet<string>;
  onSelect: (modelId: string) => void;
}) {
  const { points, missing } = useMemo(() => plotPoints(rows, plot), [rows, plot]);
  const box = useRef<HTMLDivElement>(null);
  const option = useMemo<EChartsCoreOption>(() => {
    const scale = plot.xScale.divisor;
    const line = frontLine(points);
    const point = (p: (typeof points)[number]) => {
      const isSelected = selected.has(p.modelId);
      return {
        value: [p.x / scale, p.y],
        name: p.label,
        modelId: p.modelId,
        symbol: p.searched ? "diamond" : "circle",
        symbolSize: (isSelected ? 16 : 11) + (p.searched ? 3 : 0),
        itemStyle: {
          color: p.onFront ? chartTheme.primary : "#ffffff",
          borderColor: isSelected
            ? chartTheme.highlight
            : p.onFront
              ? chartTheme.primaryDark
              : chartTheme.muted,
          borderWidth: isSelected ? 3 : 1.5,
        },
        label: { show: true, formatter: p.label, position: "top", color: chartTheme.text, fontSize: 10 },
      };
    };
    return {
      animation: false,
      textStyle: { fontFamily: chartTheme.font, color: chartTheme.text },
      grid: { left: 64, right: 24, top: 24, bottom: 44 },
      tooltip: {
        trigger: "item",
        formatter: (params: { data?: { modelId?: string } }) => {
          const found = points.find((p) => p.modelId === params.data?.modelId);
          return found ? describePoint(found, plot) : "";
        },
      },
      xAxis: valueAxis(`${plot.xLabel} (${plot.xScale.unit})`, 28, { scale: true }),
      yAxis: valueAxis("KLD (nats)", 50, {
        min: 0,
        axisLabel: { color: chartTheme.text, formatter: (v: number) => formatKld(v) },
      }),
      series: [
        {
          type: "line",
          name: "Pareto front",
          data: line.map((p) => [p.x / scale, p.y]),
          showSymbol: false,
          silent: true,
          lineStyle: { color: chartTheme.primary, width: 2, type: "solid", opacity: 0.6 },
          z: 1,
        },
        { type: "scatter", name: "Variants", data: points.map(point), z: 2, cursor: "pointer" },
        {
          type: "line",
          name: "± stddev",
          // One segment per point, "-" breaking the line between them.
          data: points.flatMap((p) =>
            p.xSpread === null
              ? []
              : [[(p.x - p.xSpread) / scale, p.y], [(p.x + p.xSpread) / scale, p.y], "-"],
          ),
          showSymbol: false,
          silent: true,
          lineStyle: { color: chartTheme.muted, width: 1.5 },
          z: 1,
        },
      ],
    };
  }, [points, plot, selected]);

  return (
    <div
      ref={box}
      data-testid={`pareto-${plot.axis}`}
      data-points={points.length}
      data-front={points.filter((p) => p.onFront).length}
      data-searched={points.filter((p) => p.searched).length}
      data-selected={points
        .filter((p) => selected.has(p.modelId))
        .map((p) => p.label)
        .join(",")}
    >
      {points.length === 0 ? (
        <div className="grid h-[260px] place-items-center px-6 text-center text-sm text-zinc-500">
          Nothing to plot yet: {plot.xLabel.toLowerCase()} and KL divergence are both needed
          {missing > 0 ? ` (${missing} variant${missing === 1 ? "" : "s"} still unmeasured)` : ""}.
        </div>
      ) : (
        <EChart
          option={option}
          height={260}
          ariaLabel={`${plot.title}: ${points.map((p) => describePoint(p, plot)).join("; ")}`}
          onRendered={(chart) => {
            // Where each point landed, in CSS pixels of the chart box: lets tests (and tools) click
            // a real point on the canvas.
            const pixels = Object.fromEntries(
              points.map((p) => [
                p.label,
                chart.convertToPixel({ seriesIndex: 1 }, [p.x / plot.xScale.divisor, p.y]),
              ]),
            );
            box.current?.setAttribute("data-pixels", JSON.stringify(pixels));
          }}
          onClick={(event) => {
            const data = event.data as { modelId?: string } | undefined;
            if (data?.modelId) onSelect(data.modelId);
          }}
        />
      )}
      {points.some((p) => p.searched) && (
        <p className="px-4 pb-2 text-xs text-zinc-500">
          ◆ searched mix (Compress → Find the best mix), evaluated on the same text; ● stock type.
        </p>
      )}
      {points.length > 0 && missing > 0 && (
        <p className="px-4 pb-2 text-xs text-zinc-500">
          {missing} variant{missing === 1 ? "" : "s"} not plotted (not measured yet).
        </p>
      )}
    </div>
  );
}
