// Reads a results file brought back from a device, in any format it may come in, recognised from
// its content (the file's name may say nothing): llama-bench's -o json, jsonl, csv and md, and
// llama.rn's bench() result saved as JSON. Lines before the output (llama.cpp's log lines, when
// stderr went into the same file) are skipped.
import type { DeviceBenchRow, DeviceResultsFormat } from "./deviceBenchRow.js";
import { lineAt, parseJsonAt } from "./jsonText.js";
import { parseLlamaBenchCsv } from "./parseLlamaBenchCsv.js";
import { parseLlamaBenchJson, parseLlamaBenchJsonl } from "./parseLlamaBenchJson.js";
import { parseLlamaBenchMarkdown } from "./parseLlamaBenchMarkdown.js";
import { isLlamaRnBenchResult, parseLlamaRnBench } from "./parseLlamaRnBench.js";
import { ResultsFormatError } from "./ResultsFormatError.js";

export interface ParsedDeviceResults {
  format: DeviceResultsFormat;
  rows: DeviceBenchRow[];
}

/** Where the output starts: the first line that opens JSON, a CSV header or a markdown table. */
function outputStart(text: string): { offset: number; kind: "json" | "csv" | "md" } | null {
  let offset = 0;
  for (const content of text.split("\n")) {
    const trimmed = content.trimStart();
    const at = offset + (content.length - trimmed.length);
    if (trimmed.startsWith("[") || trimmed.startsWith("{")) return { offset: at, kind: "json" };
    if (trimmed.startsWith("build_commit,")) return { offset: at, kind: "csv" };
    if (trimmed.startsWith("|")) return { offset: at, kind: "md" };
    offset += content.length + 1;
  }
  return null;
}

const firstElement = (value: unknown): unknown => (Array.isArray(value) ? value[0] : value);

export function detectAndParse(text: string): ParsedDeviceResults {
  const start = outputStart(text.replace(/^\uFEFF/, ""));
  if (start === null)
    throw new ResultsFormatError(
      "not a llama-bench (json, jsonl, csv, md) or llama.rn bench() result: no JSON, CSV header or table found",
      null,
    );
  if (start.kind === "csv")
    return { format: "llama-bench-csv", rows: parseLlamaBenchCsv(text, start.offset) };
  if (start.kind === "md")
    return { format: "llama-bench-md", rows: parseLlamaBenchMarkdown(text, start.offset) };
  // The whole text parsing as one value is JSON; otherwise an object on each line is JSONL.
  const json = text.slice(start.offset);
  const value = wholeJson(json);
  if (value === undefined) {
    if (json.startsWith("{"))
      return { format: "llama-bench-jsonl", rows: parseLlamaBenchJsonl(text, start.offset) };
    parseJsonAt(text, json, start.offset, lineAt(text, start.offset)); // throws, naming the line
  }
  if (isLlamaRnBenchResult(firstElement(value)))
    return { format: "llama-rn", rows: parseLlamaRnBench(text, start.offset, value) };
  if (Array.isArray(value))
    return { format: "llama-bench-json", rows: parseLlamaBenchJson(text, start.offset) };
  return { format: "llama-bench-jsonl", rows: parseLlamaBenchJsonl(text, start.offset) };
}

function wholeJson(json: string): unknown {
  try {
    return JSON.parse(json) as unknown;
  } catch {
    return undefined;
  }
}

/** Parses and checks there is something to import. */
export function parseDeviceResults(text: string): ParsedDeviceResults {
  const parsed = detectAndParse(text);
  if (parsed.rows.length === 0)
    throw new ResultsFormatError(`a ${parsed.format} file without any result`, null);
  return parsed;
}
