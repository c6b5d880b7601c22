// llama-bench -o json (an array of objects) and -o jsonl (one object per line), json_printer and
// jsonl_printer in tools/llama-bench/llama-bench.cpp.
import type { DeviceBenchRow } from "./deviceBenchRow.js";
import { arrayElementOffsets, lineAt, parseJsonAt } from "./jsonText.js";
import { llamaBenchRowFromFields } from "./llamaBenchFields.js";
import { resultsFormatError } from "./ResultsFormatError.js";

function asFields(value: unknown, line: number): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw resultsFormatError(line, null, "expected an object with llama-bench's fields");
  return value as Record<string, unknown>;
}

/** `start`: offset of the "[" (text before it, such as log lines, is not part of the output). */
export function parseLlamaBenchJson(text: string, start: number): DeviceBenchRow[] {
  const value = parseJsonAt(text, text.slice(start), start, lineAt(text, start));
  if (!Array.isArray(value)) throw resultsFormatError(lineAt(text, start), null, "expected a JSON array");
  const offsets = arrayElementOffsets(text, start);
  return value.map((element, index) => {
    const line = lineAt(text, offsets[index] ?? start);
    return llamaBenchRowFromFields(asFields(element, line), line, "llama-bench-json");
  });
}

export function parseLlamaBenchJsonl(text: string, start: number): DeviceBenchRow[] {
  const rows: DeviceBenchRow[] = [];
  const firstLine = lineAt(text, start);
  const lines = text.slice(start).split("\n");
  let offset = start;
  lines.forEach((content, index) => {
    const line = firstLine + index;
    if (content.trim() !== "") {
      const value = parseJsonAt(text, content, offset, line);
      rows.push(llamaBenchRowFromFields(asFields(value, line), line, "llama-bench-jsonl"));
    }
    offset += content.length + 1;
  });
  return rows;
}
