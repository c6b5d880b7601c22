// The text forms of an experiment report: Markdown (for notes and issues), CSV (raw values with
// units in the headers, for spreadsheets) and JSON (the whole summary). With a device, its columns
// follow the experiment's (shared/devices/deviceComparisonColumns.ts) and the notes say which of
// its numbers are measured and which predicted.
import type { DeviceComparison } from "../../shared/domain/deviceComparison.js";
import type { ExperimentSummary } from "../../shared/domain/experiment.js";
import {
  deviceComparisonNotes,
  deviceCsvColumns,
  deviceRowOf,
  deviceTextColumns,
} from "../../shared/devices/deviceComparisonColumns.js";
import { noiseNotes, noiseTestNote } from "../../shared/metrics/bestBeyondNoise.js";
import { reportColumns } from "../../shared/metrics/experimentColumns.js";
import { healingColumns, healingLevels } from "../../shared/metrics/healingGain.js";
import {
  bestDraftColumns,
  bestDraftNote,
  bestDraftTable,
  speculativeTargets,
} from "../../shared/metrics/bestDraft.js";

/** The results of an experiment on one device, when the report is asked for one. */
export type ReportDevice = DeviceComparison | null;

function provenance(summary: ExperimentSummary, device: ReportDevice = null): string[] {
  const m = summary.machine;
  return [
    `Experiment ${summary.id}, created ${summary.createdAt}`,
    `Base model: ${summary.baseModelName ?? summary.baseModelId ?? "(removed)"}`,
    `Machine: ${m ? `${m.cpu}, ${m.cores} cores, ${(m.ramBytes / 2 ** 30).toFixed(1)} GiB RAM${m.gpu ? `, ${m.gpu}` : ""}, ${m.os}` : "(no benchmark recorded)"}`,
    `llama.cpp: ${summary.llamaBuild ?? "unknown"}`,
    ...(device ? deviceComparisonNotes(device) : []),
  ];
}

/** Headers and formatted cells of the table people read (Markdown, HTML). */
export function textTable(
  summary: ExperimentSummary,
  device: ReportDevice,
): { headers: string[]; rows: string[][]; numeric: boolean[] } {
  const name = device?.device.name ?? "";
  const deviceColumns = device ? deviceTextColumns : [];
  return {
    headers: [...reportColumns.map((c) => c.label), ...deviceColumns.map((c) => c.label(name))],
    numeric: [...reportColumns.map((c) => c.better !== null), ...deviceColumns.map(() => false)],
    rows: summary.rows.map((row) => {
      const deviceRow = device ? deviceRowOf(device, row.modelId) : undefined;
      return [
        ...reportColumns.map((c) => c.format(row)),
        ...deviceColumns.map((c) => (deviceRow ? c.format(deviceRow, name) : "—")),
      ];
    }),
  };
}

/** What differs beyond noise and which benchmarks were disturbed, then how that was decided. */
export function findings(summary: ExperimentSummary): string[] {
  return [...noiseNotes(summary.rows, reportColumns), noiseTestNote];
}

const escapeCell = (text: string): string => text.replace(/\|/g, "\\|");

/** The chain's "what healing bought" table (no rows when the experiment healed nothing). */
export function healingTable(summary: ExperimentSummary): { headers: string[]; rows: string[][] } {
  return {
    headers: healingColumns.map((c) => c.label),
    rows: healingLevels(summary.rows).map((level) => healingColumns.map((c) => c.format(level))),
  };
}

export const healingNote =
  "KLD and PPL against the original base, ± the 95 % interval; the verdict says whether healed and pruned differ by more than 1.96 standard errors of their difference (two-sided, 5 %).";

/** One best-draft table per speculative target of the experiment (none without speculative runs). */
export function bestDraftTables(
  summary: ExperimentSummary,
): { title: string; headers: string[]; rows: string[][] }[] {
  const runs = summary.speculation ?? [];
  return speculativeTargets(runs).map((target) => ({
    title: `Best draft for ${target.label}`,
    headers: bestDraftColumns.map((c) => c.label),
    rows: bestDraftTable(runs, target.modelId).map((row) => bestDraftColumns.map((c) => c.format(row))),
  }));
}

/** A titled Markdown section: heading, note, then the table (`textColumn` left-aligned, others right). */
function markdownSection(
  title: string,
  note: string,
  table: { headers: string[]; rows: string[][] },
  textColumn: number,
): string[] {
  return [
    `## ${title}`,
    "",
    note,
    "",
    `| ${table.headers.join(" | ")} |`,
    `|${table.headers.map((_, i) => (i === textColumn ? " --- " : " ---: ")).join("|")}|`,
    ...table.rows.map((cells) => `| ${cells.map(escapeCell).join(" | ")} |`),
    "",
  ];
}

function markdownBestDrafts(summary: ExperimentSummary): string[] {
  return bestDraftTables(summary).flatMap((table) => markdownSection(table.title, bestDraftNote, table, 1));
}

function markdownHealing(summary: ExperimentSummary): string[] {
  const table = healingTable(summary);
  if (table.rows.length === 0) return [];
  return markdownSection("What healing bought", healingNote, table, 0);
}

export function renderMarkdown(summary: ExperimentSummary, device: ReportDevice = null): string {
  const table = textTable(summary, device);
  const header = `| ${table.headers.join(" | ")} |`;
  const rule = `|${table.numeric.map((numeric) => (numeric ? " ---: " : " --- ")).join("|")}|`;
  const rows = table.rows.map((cells) => `| ${cells.map(escapeCell).join(" | ")} |`);
  return [
    `# ${summary.name}`,
    "",
    ...provenance(summary, device).map((line) => `- ${line}`),
    "",
    header,
    rule,
    ...rows,
    "",
    ...findings(summary).map((line) => `- ${line}`),
    "",
    ...markdownHealing(summary),
    ...markdownBestDrafts(summary),
  ].join("\n");
}

function csvCell(value: number | string | boolean | null): string {
  if (value === null) return "";
  const text = String(value);
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function renderCsv(summary: ExperimentSummary, device: ReportDevice = null): string {
  const unitHeader = (c: { key: string; unit: string }) => (c.unit ? `${c.key} (${c.unit})` : c.key);
  const deviceColumns = device ? deviceCsvColumns : [];
  const deviceId = device ? ["device"] : [];
  const spreadColumns = reportColumns.filter((c) => c.stddev);
  const headers = [
    "model_id",
    ...reportColumns.map(unitHeader),
    ...spreadColumns.map((c) => unitHeader({ key: `${c.key}_stddev`, unit: c.unit })),
    "noise",
    ...deviceId,
    ...deviceColumns.map(unitHeader),
  ];
  const lines = summary.rows.map((row) => {
    const deviceRow = device ? deviceRowOf(device, row.modelId) : undefined;
    return [
      row.modelId,
      ...reportColumns.map((c) => c.value(row)),
      ...spreadColumns.map((c) => c.stddev!(row)),
      (row.noise ?? []).join("; "),
      ...(device ? [device.device.id] : []),
      ...deviceColumns.map((c) => (deviceRow ? c.value(deviceRow) : null)),
    ]
      .map(csvCell)
      .join(",");
  });
  return [headers.map(csvCell).join(","), ...lines, ""].join("\n");
}

export function renderJson(summary: ExperimentSummary, device: ReportDevice = null): string {
  return `${JSON.stringify(device ? { ...summary, device } : summary, null, 2)}\n`;
}

export { provenance };
