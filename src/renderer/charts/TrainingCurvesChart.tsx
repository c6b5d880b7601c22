// A training job's curves against the step: the training loss with the held-out loss beside it, and
// (distillation) the held-out KL divergence to the teacher with its 95 % interval as a band, since a
// single point's wiggle is noise until the band says otherwise.
import { useMemo } from "react";
import type { EChartsCoreOption } from "echarts/core";
import { heldoutPerplexity, type TrainingMetrics } from "../../shared/domain/trainingMetrics.js";
import { formatKld } from "../../shared/format.js";
import { chartTheme, EChart } from "./EChart.js";

/** 95 % of a normal's mass lies within this many standard errors. */
const z95 = 1.96;

function stepAxis() {
  return {
    type: "value",
    name: "Step",
    nameLocation: "middle",
    nameGap: 24,
    minInterval: 1,
    axisLine: { lineStyle: { color: chartTheme.axis } },
    axisLabel: { color: chartTheme.text },
    splitLine: { show: false },
  };
}

function valueAxis(name: string) {
  return {
    type: "value",
    name,
    nameLocation: "middle",
    nameGap: 44,
    scale: true,
    splitLine: { lineStyle: { color: chartTheme.grid } },
    axisLabel: { color: chartTheme.text, formatter: (v: number) => v.toPrecision(3) },
  };
}

const base = {
  animation: false,
  textStyle: { fontFamily: chartTheme.font, color: chartTheme.text },
  grid: { left: 60, right: 16, top: 32, bottom: 40 },
  legend: { top: 0, textStyle: { color: chartTheme.text } },
};

export function TrainingCurvesChart({ series }: { series: TrainingMetrics }) {
  const { train, heldout } = series;
  const loss = useMemo<EChartsCoreOption>(
    () => ({
      ...base,
      tooltip: { trigger: "axis", valueFormatter: (v: number) => v.toFixed(4) },
      xAxis: stepAxis(),
      yAxis: valueAxis("Loss (nats/token)"),
      series: [
        {
          type: "line",
          name: "Train loss",
          showSymbol: train.length < 40,
          data: train.map((p) => [p.step, p.loss]),
          lineStyle: { color: chartTheme.primary },
          itemStyle: { color: chartTheme.primary },
        },
        ...(heldout.length > 0
          ? [
              {
                type: "line",
                name: "Held-out loss",
                data: heldout.map((p) => [p.step, p.objective]),
                lineStyle: { color: chartTheme.highlight },
                itemStyle: { color: chartTheme.highlight },
              },
            ]
          : []),
      ],
    }),
    [train, heldout],
  );

  const kld = useMemo<EChartsCoreOption>(() => {
    const lower = heldout.map((p) => [p.step, Math.max(0, p.kld - z95 * p.kldStdErr)]);
    return {
      ...base,
      tooltip: {
        trigger: "axis",
        formatter: (items: { dataIndex: number }[]) => {
          const p = heldout[items[0]?.dataIndex ?? -1];
          if (!p) return "";
          return `Step ${p.step}<br/>KLD ${formatKld(p.kld)} ± ${formatKld(z95 * p.kldStdErr)} (95 %)<br/>PPL ${heldoutPerplexity(p).toFixed(2)}<br/>Loss ${p.objective.toFixed(4)}`;
        },
      },
      xAxis: stepAxis(),
      yAxis: valueAxis("KLD to teacher"),
      series: [
        // The band: an invisible lower edge with the interval's width stacked on it.
        {
          type: "line",
          name: "95 % interval",
          stack: "interval",
          symbol: "none",
          lineStyle: { opacity: 0 },
          data: lower,
          tooltip: { show: false },
        },
        {
          type: "line",
          name: "95 % interval",
          stack: "interval",
          symbol: "none",
          lineStyle: { opacity: 0 },
          areaStyle: { color: chartTheme.primary, opacity: 0.18 },
          data: heldout.map((p, i) => [p.step, p.kld + z95 * p.kldStdErr - lower[i]![1]!]),
        },
        {
          type: "line",
          name: "Held-out KLD",
          data: heldout.map((p) => [p.step, p.kld]),
          lineStyle: { color: chartTheme.primaryDark },
          itemStyle: { color: chartTheme.primaryDark },
        },
      ],
    };
  }, [heldout]);

  const last = heldout.at(-1);
  return (
    <div
      className={heldout.length > 0 ? "grid gap-3 md:grid-cols-2" : ""}
      data-testid="training-curves"
      data-train-points={train.length}
      data-heldout-points={heldout.length}
    >
      <EChart
        option={loss}
        height={220}
        testId="training-loss-chart"
        ariaLabel={`Training loss over ${train.length} steps${train.length ? `, last ${train.at(-1)!.loss.toFixed(4)}` : ""}${heldout.length ? `; held-out loss at ${heldout.length} points` : ""}`}
      />
      {heldout.length > 0 && (
        <EChart
          option={kld}
          height={220}
          testId="training-kld-chart"
          ariaLabel={`Held-out KL divergence to the teacher at ${heldout.length} points${last ? `, last ${formatKld(last.kld)} ± ${formatKld(z95 * last.kldStdErr)}` : ""}`}
        />
      )}
    </div>
  );
}
