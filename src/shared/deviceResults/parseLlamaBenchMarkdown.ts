// llama-bench -o md (markdown_printer in tools/llama-bench/llama-bench.cpp): a table whose columns
// depend on the options given (model, size, params, backend and test, t/s always), values rounded
// for reading: size "636.18 MiB" / "4.58 GiB", params "1.24 B" / "5.51 M", t/s "avg ± stddev", then
// "build: <commit> (<number>)". Rounded values carry the tolerance of their last printed digit.
import { flashAttentionFromLlamaBench, type BenchTest, type DeviceBenchRow } from "./deviceBenchRow.js";
import { lineAt } from "./jsonText.js";
import { parseLlamaModelDescription } from "./llamaModelDescription.js";
import { resultsFormatError } from "./ResultsFormatError.js";

const byteUnits: Readonly<Record<string, number>> = { KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3 };
const countUnits: Readonly<Record<string, number>> = { K: 1e3, M: 1e6, B: 1e9 };

interface Rounded {
  value: number;
  tolerance: number;
}

/** "10.51 MiB" → bytes and half a unit of the last digit. */
function roundedQuantity(
  text: string,
  units: Readonly<Record<string, number>>,
  line: number,
  field: string,
): Rounded {
  const match = /^(\d+(?:\.(\d+))?)\s*([A-Za-z]+)$/.exec(text.trim());
  const unit = match ? units[match[3]!] : undefined;
  if (!match || unit === undefined) throw resultsFormatError(line, field, `"${text}" is not a ${field}`);
  const decimals = match[2]?.length ?? 0;
  return { value: Number(match[1]) * unit, tolerance: (0.5 * unit) / 10 ** decimals };
}

function parseTest(text: string, line: number): BenchTest {
  const match = /^(?:pp(\d+))?(?:\+?tg(\d+))?(?:\s*@\s*d(\d+))?$/.exec(text.trim());
  if (!match || (match[1] === undefined && match[2] === undefined))
    throw resultsFormatError(line, "test", `"${text}" is not a llama-bench test (pp512, tg128, pp512+tg128)`);
  return {
    promptTokens: Number(match[1] ?? 0),
    generateTokens: Number(match[2] ?? 0),
    depth: Number(match[3] ?? 0),
  };
}

function parseRate(text: string, line: number): { mean: number; stddev: number | null } {
  const match = /^(\d+(?:\.\d+)?)(?:\s*±\s*(\d+(?:\.\d+)?))?$/.exec(text.trim());
  if (!match || Number(match[1]) <= 0)
    throw resultsFormatError(line, "t/s", `"${text}" is not a rate (average ± stddev)`);
  return { mean: Number(match[1]), stddev: match[2] === undefined ? null : Number(match[2]) };
}

function cells(content: string): string[] {
  return content
    .trim()
    .replace(/^\|/, "")
    .replace(/\|$/, "")
    .split("|")
    .map((cell) => cell.trim());
}

const isSeparator = (content: string): boolean => /^\|(\s*:?-+:?\s*\|)+\s*$/.test(content.trim());

function integerCell(value: string | undefined, line: number, field: string): number | null {
  if (value === undefined || value === "") return null;
  const parsed = Number(value);
  if (!Number.isInteger(parsed)) throw resultsFormatError(line, field, `"${value}" is not a whole number`);
  return parsed;
}

/** `start`: offset of the table's header line. */
export function parseLlamaBenchMarkdown(text: string, start: number): DeviceBenchRow[] {
  const firstLine = lineAt(text, start);
  const lines = text.slice(start).replace(/\r/g, "").split("\n");
  const rows: DeviceBenchRow[] = [];
  let header: string[] | null = null;
  let tableRows: DeviceBenchRow[] = [];
  lines.forEach((content, index) => {
    const line = firstLine + index;
    const trimmed = content.trim();
    const build = /^build:\s*(\S+)\s*\((\d+)\)/.exec(trimmed);
    if (build) {
      for (const row of tableRows) row.build = { commit: build[1]!, number: Number(build[2]) };
      return;
    }
    if (!trimmed.startsWith("|")) return;
    if (isSeparator(trimmed)) return;
    if (isSeparator(lines[index + 1] ?? "")) {
      header = cells(trimmed);
      for (const required of ["model", "size", "params", "test", "t/s"])
        if (!header.includes(required))
          throw resultsFormatError(line, required, "column missing from the table");
      tableRows = [];
      return;
    }
    if (header === null) throw resultsFormatError(line, null, "a table row before the table's header");
    const values = cells(trimmed);
    if (values.length !== header.length)
      throw resultsFormatError(
        line,
        null,
        `${values.length} cells for the header's ${header.length} columns`,
      );
    const cell = Object.fromEntries(header.map((name, i) => [name, values[i]!]));
    const size = roundedQuantity(cell.size!, byteUnits, line, "size");
    const params = roundedQuantity(cell.params!, countUnits, line, "params");
    const rate = parseRate(cell["t/s"]!, line);
    const flash = integerCell(cell.fa, line, "fa");
    const description = cell.model!;
    const row: DeviceBenchRow = {
      format: "llama-bench-md",
      line,
      model: {
        description,
        ...parseLlamaModelDescription(description),
        sizeBytes: size.value,
        sizeToleranceBytes: size.tolerance,
        params: params.value,
        paramsTolerance: params.tolerance,
        fileName: null,
        sha256: null,
      },
      test: parseTest(cell.test!, line),
      tokensPerSecond: { ...rate, samples: null },
      backend: cell.backend ?? null,
      devices: cell.dev ?? null,
      cpuInfo: null,
      gpuInfo: null,
      threads: integerCell(cell.threads, line, "threads"),
      gpuLayers: integerCell(cell.ngl, line, "ngl"),
      batchSize: integerCell(cell.n_batch, line, "n_batch"),
      ubatchSize: integerCell(cell.n_ubatch, line, "n_ubatch"),
      flashAttention: flash === null ? null : flashAttentionFromLlamaBench(flash),
      typeK: cell.type_k ?? null,
      typeV: cell.type_v ?? null,
      build: { commit: null, number: null },
      testTime: null,
    };
    tableRows.push(row);
    rows.push(row);
  });
  return rows;
}
