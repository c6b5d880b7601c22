// The recipe search's sensitivity as a heat map: blocks (or bands) across, tensor classes down, each
// cell the KLD a group adds over the baseline when it alone is quantized to the chosen type.
// token_embd and output have no block: they get a column of their own.
import { useMemo } from "react";
import type { EChartsCoreOption } from "echarts/core";
import type { SearchOutcome } from "../../shared/domain/searchSession.js";
import { chartTheme, EChart } from "./EChart.js";

/** "ffn_down@0-3" → class "ffn_down", column "0-3"; "output" → class "output", column "—". */
function splitGroup(name: string): { tensorClass: string; column: string } {
  const at = name.lastIndexOf("@");
  return at < 0
    ? { tensorClass: name, column: "—" }
    : { tensorClass: name.slice(0, at), column: name.slice(at + 1) };
}

export function SensitivityHeatmap({ outcome, type }: { outcome: SearchOutcome; type: string }) {
  const baseline = outcome.baselineKld?.value ?? 0;
  const cells = useMemo(
    () =>
      outcome.cells
        .filter((cell) => cell.type === type)
        .map((cell) => ({ ...splitGroup(cell.group), loss: Math.max(0, cell.kld.value - baseline), cell })),
    [outcome, type, baseline],
  );
  const option = useMemo<EChartsCoreOption>(() => {
    const firstNumber = (column: string) => (column === "—" ? Infinity : Number.parseInt(column, 10));
    const columns = [...new Set(cells.map((c) => c.column))].sort((a, b) => firstNumber(a) - firstNumber(b));
    const classes = [...new Set(cells.map((c) => c.tensorClass))].sort();
    const max = Math.max(1e-9, ...cells.map((c) => c.loss));
    return {
      animation: false,
      textStyle: { fontFamily: chartTheme.font, color: chartTheme.text },
      grid: { left: 110, right: 16, top: 8, bottom: 96 },
      tooltip: {
        formatter: (p: { data: [number, number, number, number] }) =>
          `${classes[p.data[1]]} @ ${columns[p.data[0]]} at ${type}<br/>` +
          `+${p.data[2].toPrecision(3)} KLD (cell ${p.data[3].toFixed(5)}, baseline ${baseline.toFixed(5)})`,
      },
      xAxis: {
        type: "category",
        name: "Block",
        nameLocation: "middle",
        nameGap: 26,
        data: columns,
        axisLabel: { color: chartTheme.text },
      },
      yAxis: { type: "category", data: classes, axisLabel: { color: chartTheme.text } },
      visualMap: {
        min: 0,
        max,
        calculable: true,
        orient: "horizontal",
        left: "center",
        bottom: 0,
        itemHeight: 120,
        inRange: { color: ["#eef2ff", "#6366f1", "#b91c1c"] },
        formatter: (v: number) => v.toPrecision(2),
      },
      series: [
        {
          type: "heatmap",
          name: `KLD added at ${type}`,
          data: cells.map((c) => [
            columns.indexOf(c.column),
            classes.indexOf(c.tensorClass),
            c.loss,
            c.cell.kld.value,
          ]),
        },
      ],
    };
  }, [cells, type, baseline]);
  return (
    <div data-testid="sensitivity-heatmap" data-cells={cells.length}>
      <EChart
        option={option}
        height={Math.max(200, 40 + 26 * new Set(cells.map((c) => c.tensorClass)).size + 96)}
        ariaLabel={`Sensitivity by block and tensor class at ${type}: ${cells.length} cells`}
      />
    </div>
  );
}
