// JSON with line numbers: where each element of a top-level array starts, and the line a syntax
// error points at, so messages can name the line of the file the user opened.
import { resultsFormatError, type ResultsFormatError } from "./ResultsFormatError.js";

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
  } catch (error) {
    throw syntaxError(file, json, offset, firstLine, error);
  }
}

function syntaxError(
  file: string,
  json: string,
  offset: number,
  firstLine: number,
  error: unknown,
): ResultsFormatError {
  const message = error instanceof Error ? error.message : String(error);
  const position = /position (\d+)/.exec(message)?.[1];
  const line = position === undefined ? firstLine : lineAt(file, offset + Number(position));
  return resultsFormatError(line, null, `not valid JSON (${message})`);
}
