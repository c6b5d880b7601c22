// Writes an experiment report in one of its formats, atomically.
import type { ExperimentSummary } from "../../shared/domain/experiment.js";
import { writeFileAtomic } from "../writeFileAtomic.js";
import { renderHtmlReport } from "./renderHtmlReport.js";
import { renderCsv, renderJson, renderMarkdown, type ReportDevice } from "./renderTableReports.js";

export const reportFormats = ["md", "csv", "json", "html"] as const;
export type ReportFormat = (typeof reportFormats)[number];

export function isReportFormat(value: string): value is ReportFormat {
  return (reportFormats as readonly string[]).includes(value);
}

/** `device`: the experiment's results on one device, shown as extra columns (null: none). */
export function renderReport(
  summary: ExperimentSummary,
  format: ReportFormat,
  device: ReportDevice = null,
): string {
  switch (format) {
    case "md":
      return renderMarkdown(summary, device);
    case "csv":
      return renderCsv(summary, device);
    case "json":
      return renderJson(summary, device);
    case "html":
      return renderHtmlReport(summary, device);
  }
}

export function writeReport(
  summary: ExperimentSummary,
  format: ReportFormat,
  file: string,
  device: ReportDevice = null,
): string {
  return writeFileAtomic(file, renderReport(summary, format, device));
}
