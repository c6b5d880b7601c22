// The text forms of an experiment report: Markdown (for notes and issues), CSV (raw values with
// units in the headers, for spreadsheets) and JSON (the whole summary).
import type { ExperimentSummary } from "../../shared/domain/experiment.js";
import { reportColumns } from "../../shared/metrics/experimentColumns.js";

function provenance(summary: ExperimentSummary): string[] {
  const m = summary.machine;
  return [
    `Experiment ${summary.id}, created ${summary.createdAt}`,
    `Base model: ${summary.baseModelName ?? summary.baseModelId ?? "(removed)"}`,
    `Machine: ${m ? `${m.cpu}, ${m.cores} cores, ${(m.ramBytes / 2 ** 30).toFixed(1)} GiB RAM${m.gpu ? `, ${m.gpu}` : ""}, ${m.os}` : "(no benchmark recorded)"}`,
    `llama.cpp: ${summary.llamaBuild ?? "unknown"}`,
  ];
}

const escapeCell = (text: string): string => text.replace(/\|/g, "\\|");

export function renderMarkdown(summary: ExperimentSummary): string {
  const header = `| ${reportColumns.map((c) => c.label).join(" | ")} |`;
  const rule = `|${reportColumns.map((c) => (c.better ? " ---: " : " --- ")).join("|")}|`;
  const rows = summary.rows.map(
    (row) => `| ${reportColumns.map((c) => escapeCell(c.format(row))).join(" | ")} |`,
  );
  return [
    `# ${summary.name}`,
    "",
    ...provenance(summary).map((line) => `- ${line}`),
    "",
    header,
    rule,
    ...rows,
    "",
  ].join("\n");
}

function csvCell(value: number | string | boolean | null): string {
  if (value === null) return "";
  const text = String(value);
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function renderCsv(summary: ExperimentSummary): string {
  const headers = ["model_id", ...reportColumns.map((c) => (c.unit ? `${c.key} (${c.unit})` : c.key))];
  const lines = summary.rows.map((row) =>
    [row.modelId, ...reportColumns.map((c) => c.value(row))].map(csvCell).join(","),
  );
  return [headers.map(csvCell).join(","), ...lines, ""].join("\n");
}

export function renderJson(summary: ExperimentSummary): string {
  return `${JSON.stringify(summary, null, 2)}\n`;
}

export { provenance };
