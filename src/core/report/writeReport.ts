// Writes an experiment report in one of its formats, atomically.
import type { ExperimentSummary } from "../../shared/domain/experiment.js";
import { writeFileAtomic } from "../writeFileAtomic.js";
import { renderHtmlReport } from "./renderHtmlReport.js";
import { renderCsv, renderJson, renderMarkdown } from "./renderTableReports.js";

export const reportFormats = ["md", "csv", "json", "html"] as const;
export type ReportFormat = (typeof reportFormats)[number];

export function isReportFormat(value: string): value is ReportFormat {
  return (reportFormats as readonly string[]).includes(value);
}

export function renderReport(summary: ExperimentSummary, format: ReportFormat): string {
  switch (format) {
    case "md":
      return renderMarkdown(summary);
    case "csv":
      return renderCsv(summary);
    case "json":
      return renderJson(summary);
    case "html":
      return renderHtmlReport(summary);
  }
}

export function writeReport(summary: ExperimentSummary, format: ReportFormat, file: string): string {
  return writeFileAtomic(file, renderReport(summary, format));
}
