// JSON with line numbers: where each element of a top-level array starts, and the line a syntax
// error points at, so messages can name the line of the file the user opened.
import { resultsFormatError } from "./ResultsFormatError.js";

/** 1-based line of a character offset. */
export function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** Offsets where each element of the array starting at `start` begins (strings and nesting skipped). */
export function arrayElementOffsets(text: string, start: number): number[] {
  const offsets: number[] = [];
  let depth = 0;
  let inString = false;
  let expectElement = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (/\s/.test(c)) continue;
    if (depth === 1 && expectElement && c !== "]") {
      offsets.push(i);
      expectElement = false;
    }
    if (c === '"') inString = true;
    else if (c === "[" || c === "{") {
      depth++;
      if (depth === 1) expectElement = true;
    } else if (c === "]" || c === "}") depth--;
    else if (c === "," && depth === 1) expectElement = true;
    if (depth === 0 && i > start) break;
  }
  return offsets;
}

/** JSON.parse, its syntax error turned into one that names the line (offset: where `json` starts in the file). */
export function parseJsonAt(file: string, json: string, offset: number, firstLine: number): unknown {
  try {
    return JSON.parse(json);
  } catch {
    throw resultsFormatError(brokenLine(file, json, offset) ?? firstLine, null, "not valid JSON");
  }
}

/** The line of the first array element that does not parse on its own (engines do not all give a position). */
function brokenLine(file: string, json: string, offset: number): number | null {
  if (!json.trimStart().startsWith("[")) return null;
  const starts = arrayElementOffsets(json, json.indexOf("["));
  for (const [index, start] of starts.entries()) {
    const end = starts[index + 1] ?? json.lastIndexOf("]");
    const element = json.slice(start, end).trim().replace(/,$/, "");
    try {
      JSON.parse(element);
    } catch {
      return lineAt(file, offset + start);
    }
  }
  return null;
}
