// llama-bench -o csv (csv_printer in tools/llama-bench/llama-bench.cpp): a header line of field
// names, then one line per test with every value in double quotes (a quote inside doubled).
import type { DeviceBenchRow } from "./deviceBenchRow.js";
import { lineAt } from "./jsonText.js";
import { llamaBenchRowFromFields } from "./llamaBenchFields.js";
import { resultsFormatError } from "./ResultsFormatError.js";

/** One CSV line into its values; a quoted value may hold commas and doubled quotes. */
function splitCsvLine(content: string, line: number): string[] {
  const values: string[] = [];
  let i = 0;
  for (;;) {
    let value = "";
    if (content[i] === '"') {
      i++;
      for (;;) {
        if (i >= content.length) throw resultsFormatError(line, null, "a quoted value is not closed");
        if (content[i] === '"') {
          if (content[i + 1] === '"') {
            value += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += content[i++];
      }
      if (i < content.length && content[i] !== ",")
        throw resultsFormatError(line, null, `unexpected text after a quoted value at column ${i + 1}`);
    } else {
      const end = content.indexOf(",", i);
      value = content.slice(i, end < 0 ? content.length : end);
      i = end < 0 ? content.length : end;
    }
    values.push(value);
    if (i >= content.length) return values;
    i++; // the comma
  }
}

/** `start`: offset of the header line. */
export function parseLlamaBenchCsv(text: string, start: number): DeviceBenchRow[] {
  const firstLine = lineAt(text, start);
  const lines = text.slice(start).replace(/\r/g, "").split("\n");
  const header = splitCsvLine(lines[0] ?? "", firstLine);
  const rows: DeviceBenchRow[] = [];
  lines.slice(1).forEach((content, index) => {
    const line = firstLine + 1 + index;
    if (content.trim() === "") return;
    const values = splitCsvLine(content, line);
    if (values.length !== header.length)
      throw resultsFormatError(
        line,
        null,
        `${values.length} values for the header's ${header.length} fields`,
      );
    const fields = Object.fromEntries(header.map((name, i) => [name, values[i]]));
    rows.push(llamaBenchRowFromFields(fields, line, "llama-bench-csv"));
  });
  return rows;
}
