// The HTML report: one self-contained file (no network access needed to open it) with the summary
// table with what differs beyond noise under it, Pareto scatter plots (size, generation speed and
// peak memory against KL divergence, front highlighted) and per-metric bar charts from zero with
// error bars, drawn by ECharts inlined into the page.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { ExperimentSummary } from "../../shared/domain/experiment.js";
import { reportColumns } from "../../shared/metrics/experimentColumns.js";
import { bestDraftNote } from "../../shared/metrics/bestDraft.js";
import {
  findings,
  bestDraftTables,
  healingNote,
  healingTable,
  provenance,
  textTable,
  type ReportDevice,
} from "./renderTableReports.js";

const require = createRequire(import.meta.url);

function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!,
  );
}

/** JSON that can sit inside a <script> element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

const chartScript = `
const data = JSON.parse(document.getElementById("cwb-data").textContent);
const rows = data.rows;
const kld = (r) => (r.isBase ? 0 : r.kldMean);
const spreadOf = (r, field) => (r.spread && r.spread[field] && r.spread[field].samples >= 2 ? r.spread[field].stddev : null);
const axes = [
  { id: "pareto-size", title: "Size vs KL divergence", x: (r) => r.sizeBytes / 1e6, xSpread: () => null, xName: "size (MB)", front: "sizeVsKld" },
  { id: "pareto-speed", title: "Generation speed vs KL divergence", x: (r) => r.tgTokensPerSecond, xSpread: (r) => spreadOf(r, "tgTokensPerSecond"), xName: "generation (tok/s)", front: "speedVsKld" },
  { id: "pareto-memory", title: "Peak memory vs KL divergence", x: (r) => (r.peakRssBytes === null ? null : r.peakRssBytes / 1e6), xSpread: (r) => { const s = spreadOf(r, "peakRssBytes"); return s === null ? null : s / 1e6; }, xName: "peak RSS (MB)", front: "memoryVsKld" },
];
for (const axis of axes) {
  const points = rows.filter((r) => axis.x(r) !== null && kld(r) !== null).map((r) => ({ name: r.label, value: [axis.x(r), kld(r)], front: r.front[axis.front] }));
  const el = document.getElementById(axis.id);
  if (points.length === 0) { el.textContent = axis.title + ": not measured"; el.className = "empty"; continue; }
  const front = points.filter((p) => p.front).sort((a, b) => a.value[0] - b.value[0]);
  echarts.init(el, null, { renderer: "svg" }).setOption({
    animation: false,
    title: { text: axis.title, textStyle: { fontSize: 14 } },
    tooltip: { formatter: (p) => p.data.name + "<br>" + axis.xName + ": " + Number(p.data.value[0]).toFixed(2) + "<br>KLD: " + Number(p.data.value[1]).toFixed(5) },
    xAxis: { name: axis.xName, nameLocation: "middle", nameGap: 28, scale: true },
    yAxis: { name: "KLD (nat)", scale: true },
    series: [
      { type: "scatter", symbolSize: 11, data: points.map((p) => ({ ...p, itemStyle: { color: p.front ? "#2563eb" : "#9ca3af" } })), label: { show: true, position: "right", formatter: (p) => p.data.name, fontSize: 10 } },
      { type: "line", data: front.map((p) => p.value), showSymbol: false, lineStyle: { color: "#2563eb", type: "dashed" }, silent: true },
      // ± one standard deviation of the x value, as a horizontal bar through the point.
      { type: "custom", silent: true, encode: { x: [0, 1], y: 2 },
        data: rows.filter((r) => axis.x(r) !== null && kld(r) !== null && axis.xSpread(r) !== null).map((r) => [axis.x(r) - axis.xSpread(r), axis.x(r) + axis.xSpread(r), kld(r)]),
        renderItem: (params, api) => {
          const low = api.coord([api.value(0), api.value(2)]);
          const high = api.coord([api.value(1), api.value(2)]);
          return { type: "line", shape: { x1: low[0], y1: low[1], x2: high[0], y2: high[1] }, style: { stroke: "#6b7280", lineWidth: 1.2 } };
        } },
    ],
  });
}
// Bars start at zero so their heights compare; a mean over repetitions carries its ± as an error bar.
const bars = [
  { id: "bar-size", title: "Size (MB)", value: (r) => r.sizeBytes / 1e6, spread: () => null },
  { id: "bar-tg", title: "Generation (tok/s) ± stddev", value: (r) => r.tgTokensPerSecond, spread: (r) => spreadOf(r, "tgTokensPerSecond") },
  { id: "bar-pp", title: "Prompt, short (tok/s) ± stddev", value: (r) => r.ppShortTokensPerSecond, spread: (r) => spreadOf(r, "ppShortTokensPerSecond") },
  { id: "bar-memory", title: "Peak memory (MB) ± stddev", value: (r) => (r.peakRssBytes === null ? null : r.peakRssBytes / 1e6), spread: (r) => { const s = spreadOf(r, "peakRssBytes"); return s === null ? null : s / 1e6; } },
  { id: "bar-ppl", title: "Perplexity ± standard error", value: (r) => r.ppl, spread: (r) => r.pplUncertainty },
  { id: "bar-kld", title: "KLD mean (nat)", value: kld, spread: () => null },
];
const errorBars = (shown, bar) => ({
  type: "custom",
  silent: true,
  z: 10,
  // Both ends count for the value axis, so a whisker is never cut off at the top.
  encode: { x: 0, y: [1, 2] },
  data: shown.map((r, i) => { const v = bar.value(r); const s = bar.spread(r); return s === null ? [i, v, v] : [i, Math.max(0, v - s), v + s]; }),
  renderItem: (params, api) => {
    const low = api.coord([api.value(0), api.value(1)]);
    const high = api.coord([api.value(0), api.value(2)]);
    if (low[1] === high[1]) return null;
    const cap = 6;
    const stroke = { stroke: "#111827", lineWidth: 1.2 };
    return { type: "group", children: [
      { type: "line", shape: { x1: low[0], y1: low[1], x2: high[0], y2: high[1] }, style: stroke },
      { type: "line", shape: { x1: low[0] - cap, y1: low[1], x2: low[0] + cap, y2: low[1] }, style: stroke },
      { type: "line", shape: { x1: high[0] - cap, y1: high[1], x2: high[0] + cap, y2: high[1] }, style: stroke },
    ] };
  },
});
for (const bar of bars) {
  const shown = rows.filter((r) => bar.value(r) !== null);
  const el = document.getElementById(bar.id);
  if (shown.length === 0) { el.textContent = bar.title + ": not measured"; el.className = "empty"; continue; }
  echarts.init(el, null, { renderer: "svg" }).setOption({
    animation: false,
    title: { text: bar.title, textStyle: { fontSize: 14 } },
    tooltip: { formatter: (p) => { const r = shown[p.dataIndex]; const s = bar.spread(r); return r.label + ": " + Number(bar.value(r)).toPrecision(4) + (s === null ? "" : " ± " + Number(s).toPrecision(3)); } },
    grid: { bottom: 60 },
    xAxis: { type: "category", data: shown.map((r) => r.label), axisLabel: { rotate: 30 } },
    yAxis: { type: "value", min: 0 },
    series: [{ type: "bar", data: shown.map((r) => bar.value(r)), itemStyle: { color: "#2563eb" } }, errorBars(shown, bar)],
  });
}
`;

const style = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 2rem; color: #111827; background: #f9fafb; }
h1 { font-size: 1.4rem; margin: 0 0 .5rem; }
ul.meta { color: #4b5563; padding-left: 1.2rem; margin: 0 0 1.5rem; }
table { border-collapse: collapse; background: white; font-variant-numeric: tabular-nums; margin-bottom: 2rem; }
th, td { border: 1px solid #e5e7eb; padding: .35rem .6rem; white-space: nowrap; }
th { background: #f3f4f6; text-align: left; }
td.num { text-align: right; }
tr.front td:first-child { font-weight: 600; color: #1d4ed8; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(460px, 1fr)); gap: 1rem; }
.chart { height: 340px; background: white; border: 1px solid #e5e7eb; border-radius: 6px; padding: .5rem; }
ul.findings { color: #374151; padding-left: 1.2rem; margin: -1rem 0 1.5rem; }
.empty { display: flex; align-items: center; justify-content: center; color: #6b7280; }
`;

export function renderHtmlReport(summary: ExperimentSummary, device: ReportDevice = null): string {
  const echartsSource = readFileSync(require.resolve("echarts/dist/echarts.min.js"), "utf8");
  const table = textTable(summary, device);
  const titles = reportColumns.map((c) => c.title);
  const head = table.headers
    .map((label, i) => {
      const title = titles[i];
      return `<th${title ? ` title="${escapeHtml(title)}"` : ""}>${escapeHtml(label)}</th>`;
    })
    .join("");
  const body = summary.rows
    .map((row, r) => {
      const onFront = row.front.sizeVsKld || row.front.speedVsKld || row.front.memoryVsKld;
      const cells = table.rows[r]!.map(
        (text, i) => `<td${table.numeric[i] ? ' class="num"' : ""}>${escapeHtml(text)}</td>`,
      ).join("");
      return `<tr${onFront ? ' class="front"' : ""}>${cells}</tr>`;
    })
    .join("\n");
  const healing = healingTable(summary);
  const healingSection =
    healing.rows.length === 0
      ? ""
      : `<h2>What healing bought</h2>
<p>${escapeHtml(healingNote)}</p>
<table id="healing"><thead><tr>${healing.headers.map((h) => `<th>${escapeHtml(h)}</th>`).join("")}</tr></thead><tbody>
${healing.rows.map((cells) => `<tr>${cells.map((c, i) => `<td${i > 0 ? ' class="num"' : ""}>${escapeHtml(c)}</td>`).join("")}</tr>`).join("\n")}
</tbody></table>`;
  const bestDraftSections = bestDraftTables(summary)
    .map(
      (table) => `<h2>${escapeHtml(table.title)}</h2>
<p>${escapeHtml(bestDraftNote)}</p>
<table class="best-draft"><thead><tr>${table.headers.map((h) => `<th>${escapeHtml(h)}</th>`).join("")}</tr></thead><tbody>
${table.rows.map((cells) => `<tr>${cells.map((c, i) => `<td${i === 1 ? "" : ' class="num"'}>${escapeHtml(c)}</td>`).join("")}</tr>`).join("\n")}
</tbody></table>`,
    )
    .join("\n");
  const chartIds = [
    "pareto-size",
    "pareto-speed",
    "pareto-memory",
    "bar-size",
    "bar-tg",
    "bar-pp",
    "bar-memory",
    "bar-ppl",
    "bar-kld",
  ];
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(summary.name)} — Compression Workbench report</title>
<style>${style}</style>
</head>
<body>
<h1>${escapeHtml(summary.name)}</h1>
<ul class="meta">${provenance(summary, device)
    .map((line) => `<li>${escapeHtml(line)}</li>`)
    .join("")}</ul>
<table><thead><tr>${head}</tr></thead><tbody>
${body}
</tbody></table>
<ul class="findings">${findings(summary)
    .map((line) => `<li>${escapeHtml(line)}</li>`)
    .join("")}</ul>
${healingSection}
${bestDraftSections}
<div class="charts">${chartIds.map((id) => `<div class="chart" id="${id}"></div>`).join("")}</div>
<script type="application/json" id="cwb-data">${scriptJson(device ? { ...summary, device } : summary)}</script>
<script>${echartsSource.replace(/<\/script/gi, "<\\/script")}</script>
<script>${chartScript}</script>
</body>
</html>
`;
}
