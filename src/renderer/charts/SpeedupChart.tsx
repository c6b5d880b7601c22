// A target's drafts: speedup against the draft's file size, each point with its ± as a vertical error
// bar and a dashed line at 1x (no gain). Drafts that share rank 1 beyond noise are filled.
import { useMemo } from "react";
import type { EChartsCoreOption } from "echarts/core";
import { formatBytes } from "../../shared/format.js";
import type { BestDraftRow } from "../../shared/metrics/bestDraft.js";
import { chartTheme, EChart, valueAxis } from "./EChart.js";

const mb = 1e6;

function describe(row: BestDraftRow): string {
  const { speedup } = row.run;
  const spread = speedup.stddev === null ? "" : ` ± ${speedup.stddev.toFixed(2)}`;
  return `${row.run.draftLabel}: ${formatBytes(row.run.draftSizeBytes)}, ${speedup.mean.toFixed(2)}${spread} x`;
}

export function SpeedupChart({ rows }: { rows: readonly BestDraftRow[] }) {
  const option = useMemo<EChartsCoreOption>(
    () => ({
      animation: false,
      textStyle: { fontFamily: chartTheme.font, color: chartTheme.text },
      grid: { left: 56, right: 24, top: 24, bottom: 44 },
      tooltip: {
        trigger: "item",
        formatter: (params: { dataIndex: number; seriesIndex: number }) =>
          params.seriesIndex === 0 ? describe(rows[params.dataIndex]!) : "",
      },
      // Room on the right for the largest draft's label.
      xAxis: valueAxis("Draft size (MB)", 28, {
        min: 0,
        max: (extent: { max: number }) => Math.ceil(extent.max * 1.2),
      }),
      yAxis: valueAxis("Speedup (x)", 40, { min: 0 }),
      series: [
        {
          type: "scatter",
          name: "Drafts",
          data: rows.map((row) => ({
            value: [row.run.draftSizeBytes / mb, row.run.speedup.mean],
            name: row.run.draftLabel,
            symbolSize: 11,
            itemStyle: {
              color: row.rank === 1 ? chartTheme.primary : "#ffffff",
              borderColor: row.rank === 1 ? chartTheme.primaryDark : chartTheme.muted,
              borderWidth: 1.5,
            },
            label: {
              show: true,
              formatter: row.run.draftLabel,
              position: "right",
              color: chartTheme.text,
              fontSize: 10,
            },
          })),
          markLine: {
            silent: true,
            symbol: "none",
            lineStyle: { color: chartTheme.muted, type: "dashed" },
            label: { formatter: "1x", color: chartTheme.text },
            data: [{ yAxis: 1 }],
          },
          z: 2,
        },
        {
          type: "line",
          name: "± stddev",
          // One vertical segment per draft, "-" breaking the line between them.
          data: rows.flatMap((row) => {
            const { mean, stddev } = row.run.speedup;
            const x = row.run.draftSizeBytes / mb;
            return stddev === null ? [] : [[x, mean - stddev], [x, mean + stddev], "-"];
          }),
          showSymbol: false,
          silent: true,
          lineStyle: { color: chartTheme.muted, width: 1.5 },
          z: 1,
        },
      ],
    }),
    [rows],
  );
  return (
    <div data-testid="speedup-chart" data-points={rows.length}>
      <EChart
        option={option}
        height={260}
        ariaLabel={`Speedup against draft size: ${rows.map(describe).join("; ")}`}
      />
    </div>
  );
}
