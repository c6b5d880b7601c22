// A small React wrapper around one echarts instance: created on mount, given the whole option on
// every change (notMerge, so removed series really go), resized with its box, disposed on unmount.
// Only the chart types the screens use are registered, which keeps the bundle small.
import { useEffect, useRef } from "react";
import { BarChart, HeatmapChart, LineChart, ScatterChart } from "echarts/charts";
import {
  GridComponent,
  LegendComponent,
  MarkLineComponent,
  TooltipComponent,
  VisualMapComponent,
} from "echarts/components";
import * as echarts from "echarts/core";
import type { EChartsCoreOption, ECElementEvent } from "echarts/core";
import { CanvasRenderer } from "echarts/renderers";

echarts.use([
  BarChart,
  HeatmapChart,
  LineChart,
  ScatterChart,
  GridComponent,
  LegendComponent,
  MarkLineComponent,
  TooltipComponent,
  VisualMapComponent,
  CanvasRenderer,
]);

export type ChartClick = ECElementEvent;

export function EChart({
  option,
  height = 280,
  onClick,
  ariaLabel,
  testId,
  onRendered,
}: {
  option: EChartsCoreOption;
  /** Called after each new option is drawn, with the instance (e.g. to map data to pixels). */
  onRendered?: (chart: echarts.ECharts) => void;
  height?: number;
  onClick?: (event: ChartClick) => void;
  /** What the chart shows, for screen readers (the canvas itself says nothing). */
  ariaLabel: string;
  testId?: string;
}) {
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  const clickHandler = useRef(onClick);
  clickHandler.current = onClick;
  const renderedHandler = useRef(onRendered);
  renderedHandler.current = onRendered;

  useEffect(() => {
    const element = box.current!;
    const instance = echarts.init(element, undefined, { renderer: "canvas" });
    chart.current = instance;
    instance.on("click", (event) => clickHandler.current?.(event));
    const observer = new ResizeObserver(() => instance.resize());
    observer.observe(element);
    return () => {
      observer.disconnect();
      instance.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    if (!chart.current) return;
    chart.current.setOption(option, { notMerge: true });
    renderedHandler.current?.(chart.current);
  }, [option]);

  return (
    <div ref={box} role="img" aria-label={ariaLabel} data-testid={testId} style={{ height, width: "100%" }} />
  );
}

/** The palette and text styles shared by the screens' charts (Tailwind's zinc and indigo). */
export const chartTheme = {
  text: "#52525b",
  axis: "#d4d4d8",
  grid: "#f4f4f5",
  primary: "#6366f1",
  primaryDark: "#4338ca",
  muted: "#a1a1aa",
  highlight: "#f59e0b",
  danger: "#ef4444",
  font: 'ui-sans-serif, system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
} as const;

/** A value axis in the screens' style, its name centred along it. */
export function valueAxis(name: string, nameGap: number, extra: Record<string, unknown> = {}) {
  return {
    type: "value",
    name,
    nameLocation: "middle",
    nameGap,
    axisLine: { lineStyle: { color: chartTheme.axis } },
    splitLine: { lineStyle: { color: chartTheme.grid } },
    axisLabel: { color: chartTheme.text },
    ...extra,
  };
}
