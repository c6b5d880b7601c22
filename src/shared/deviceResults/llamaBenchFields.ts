// llama-bench's fields (test::get_fields in tools/llama-bench/llama-bench.cpp) into a row. The JSON,
// JSONL and CSV printers write the same fields, typed in JSON and all quoted strings in CSV, so
// one reader serves the three: numbers may arrive as numbers or as numeric strings.
import { parseLlamaModelDescription } from "./llamaModelDescription.js";
import { resultsFormatError } from "./ResultsFormatError.js";
import {
  flashAttentionFromLlamaBench,
  type DeviceBenchRow,
  type DeviceResultsFormat,
} from "./deviceBenchRow.js";

type Fields = Readonly<Record<string, unknown>>;

/** A GGUF file named by its SHA-256 (how the export's bench script names the copies it benchmarks). */
const sha256InName = /(?:^|[^0-9a-f])([0-9a-f]{64})(?:[^0-9a-f]|$)/i;

/** The model's SHA-256: a model_sha256 field, else 64 hex digits in the file's name. */
export function modelSha256Of(sha256Field: unknown, fileName: string | null): string | null {
  if (typeof sha256Field === "string" && /^[0-9a-f]{64}$/i.test(sha256Field))
    return sha256Field.toLowerCase();
  const base = fileName?.split(/[\\/]/).pop() ?? "";
  return sha256InName.exec(base)?.[1]?.toLowerCase() ?? null;
}

class FieldReader {
  constructor(
    private readonly fields: Fields,
    private readonly line: number,
  ) {}

  private raw(name: string, required: boolean): unknown {
    const value = this.fields[name];
    if ((value === undefined || value === null || value === "") && required)
      throw resultsFormatError(this.line, name, "missing");
    return value === "" ? undefined : value;
  }

  number(name: string, required: true): number;
  number(name: string, required?: false): number | null;
  number(name: string, required = false): number | null {
    const value = this.raw(name, required);
    if (value === undefined || value === null) return null;
    const parsed = typeof value === "number" ? value : typeof value === "string" ? Number(value.trim()) : NaN;
    if (!Number.isFinite(parsed))
      throw resultsFormatError(this.line, name, `${JSON.stringify(value)} is not a number`);
    return parsed;
  }

  integer(name: string, required: true): number;
  integer(name: string, required?: false): number | null;
  integer(name: string, required = false): number | null {
    const value = required ? this.number(name, true) : this.number(name);
    if (value !== null && !Number.isInteger(value))
      throw resultsFormatError(this.line, name, `${value} is not a whole number`);
    return value;
  }

  string(name: string, required: true): string;
  string(name: string, required?: false): string | null;
  string(name: string, required = false): string | null {
    const value = this.raw(name, required);
    if (value === undefined || value === null) return null;
    if (typeof value !== "string") throw resultsFormatError(this.line, name, "is not text");
    return value;
  }

  numbers(name: string): number[] | null {
    const value = this.raw(name, false);
    if (value === undefined || value === null) return null;
    if (!Array.isArray(value) || value.some((v) => typeof v !== "number" || !Number.isFinite(v)))
      throw resultsFormatError(this.line, name, "is not a list of numbers");
    return value as number[];
  }
}

/** One llama-bench result from its fields; errors name the line and the field. */
export function llamaBenchRowFromFields(
  fields: Fields,
  line: number,
  format: DeviceResultsFormat,
): DeviceBenchRow {
  const read = new FieldReader(fields, line);
  const description = read.string("model_type", true);
  const fileName = read.string("model_filename");
  const promptTokens = read.integer("n_prompt", true);
  const generateTokens = read.integer("n_gen", true);
  if (promptTokens < 0 || generateTokens < 0 || promptTokens + generateTokens === 0)
    throw resultsFormatError(
      line,
      "n_prompt",
      `a test of ${promptTokens} prompt and ${generateTokens} generated tokens`,
    );
  const mean = read.number("avg_ts", true);
  if (mean <= 0) throw resultsFormatError(line, "avg_ts", `${mean} tokens/s is not a measurement`);
  const samples = read.numbers("samples_ts");
  const flash = read.integer("flash_attn");
  return {
    format,
    line,
    model: {
      description,
      ...parseLlamaModelDescription(description),
      sizeBytes: read.integer("model_size", true),
      sizeToleranceBytes: 0,
      params: read.integer("model_n_params", true),
      paramsTolerance: 0,
      fileName,
      sha256: modelSha256Of(fields.model_sha256, fileName),
    },
    test: { promptTokens, generateTokens, depth: read.integer("n_depth") ?? 0 },
    tokensPerSecond: { mean, stddev: read.number("stddev_ts"), samples: samples?.length ?? null },
    backend: read.string("backends"),
    devices: read.string("devices"),
    cpuInfo: read.string("cpu_info"),
    gpuInfo: read.string("gpu_info"),
    threads: read.integer("n_threads"),
    gpuLayers: read.integer("n_gpu_layers"),
    batchSize: read.integer("n_batch"),
    ubatchSize: read.integer("n_ubatch"),
    flashAttention: flash === null ? null : flashAttentionFromLlamaBench(flash),
    typeK: read.string("type_k"),
    typeV: read.string("type_v"),
    build: { commit: read.string("build_commit"), number: read.integer("build_number") },
    testTime: read.string("test_time"),
  };
}
