// Per-block importance as bars (1 − cosine similarity of the block's input and output), with the
// blocks a "prune N" would drop drawn in red.
import { useMemo } from "react";
import type { EChartsCoreOption } from "echarts/core";
import type { LayerImportance } from "../../shared/domain/compression.js";
import { chartTheme, EChart } from "./EChart.js";

export function LayerImportanceChart({
  layers,
  dropped,
}: {
  layers: readonly LayerImportance[];
  dropped: ReadonlySet<number>;
}) {
  const option = useMemo<EChartsCoreOption>(
    () => ({
      animation: false,
      textStyle: { fontFamily: chartTheme.font, color: chartTheme.text },
      grid: { left: 64, right: 16, top: 16, bottom: 40 },
      tooltip: {
        trigger: "axis",
        axisPointer: { type: "shadow" },
        valueFormatter: (v: number) => v.toPrecision(3),
      },
      xAxis: {
        type: "category",
        name: "Block",
        nameLocation: "middle",
        nameGap: 26,
        data: layers.map((l) => String(l.layer)),
        axisLine: { lineStyle: { color: chartTheme.axis } },
        axisLabel: { color: chartTheme.text },
      },
      yAxis: {
        type: "value",
        name: "Importance",
        nameLocation: "middle",
        nameGap: 50,
        splitLine: { lineStyle: { color: chartTheme.grid } },
        axisLabel: { color: chartTheme.text, formatter: (v: number) => v.toPrecision(2) },
      },
      series: [
        {
          type: "bar",
          name: "1 − cos(in, out)",
          data: layers.map((l) => ({
            value: l.importance,
            itemStyle: {
              color: dropped.has(l.layer) ? chartTheme.danger : chartTheme.primary,
              borderRadius: [3, 3, 0, 0],
            },
          })),
          barMaxWidth: 36,
        },
      ],
    }),
    [layers, dropped],
  );
  return (
    <EChart
      option={option}
      height={220}
      testId="layer-importance-chart"
      ariaLabel={`Block importance: ${layers.map((l) => `block ${l.layer} ${l.importance.toPrecision(3)}`).join(", ")}`}
    />
  );
}
