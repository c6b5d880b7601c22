// The result of llama.rn's `LlamaContext.bench(pp, tg, pl, nr)`, saved as JSON (one result, or an
// array of them). Its shape is declared as `BenchResult` in llama.rn's src/index.ts
// (github.com/mybigday/llama.rn), in two generations:
//   current: { nKvMax, nBatch, nUBatch, flashAttn, isPpShared, nGpuLayers, nThreads, nThreadsBatch,
//              pp, tg, pl, nKv, tPp, speedPp, tTg, speedTg, t, speed } (llama-batched-bench's figures)
//   earlier: { modelDesc, modelSize, modelNParams, ppAvg, ppStd, tgAvg, tgStd } (means and stddevs
//              over nr repetitions; the test sizes are bench()'s arguments, not in the result)
// Neither names the model file, so a result may carry `model_sha256` (or `model_filename`) beside
// its fields, and the earlier shape needs `pp` and `tg` (the arguments) saved with it.
import type { DeviceBenchRow } from "./deviceBenchRow.js";
import { flashAttentionFromLlamaBench } from "./deviceBenchRow.js";
import { arrayElementOffsets, lineAt } from "./jsonText.js";
import { parseLlamaModelDescription } from "./llamaModelDescription.js";
import { modelSha256Of } from "./llamaBenchFields.js";
import { resultsFormatError } from "./ResultsFormatError.js";

type Result = Readonly<Record<string, unknown>>;

export function isLlamaRnBenchResult(value: unknown): boolean {
  if (typeof value !== "object" || value === null) return false;
  return ("speedPp" in value && "speedTg" in value) || ("ppAvg" in value && "tgAvg" in value);
}

function numberField(result: Result, name: string, line: number, required: true): number;
function numberField(result: Result, name: string, line: number, required?: false): number | null;
function numberField(result: Result, name: string, line: number, required = false): number | null {
  const value = result[name];
  if (value === undefined || value === null) {
    if (required) throw resultsFormatError(line, name, "missing");
    return null;
  }
  if (typeof value !== "number" || !Number.isFinite(value))
    throw resultsFormatError(line, name, `${JSON.stringify(value)} is not a number`);
  return value;
}

function positiveRate(result: Result, name: string, line: number): number {
  const value = numberField(result, name, line, true);
  if (value <= 0) throw resultsFormatError(line, name, `${value} tokens/s is not a measurement`);
  return value;
}

function tokens(result: Result, name: string, line: number): number {
  const value = numberField(result, name, line, true);
  if (!Number.isInteger(value) || value < 1)
    throw resultsFormatError(line, name, `${value} is not a token count`);
  return value;
}

function emptyRow(result: Result, line: number): Omit<DeviceBenchRow, "test" | "tokensPerSecond"> {
  const fileName = typeof result.model_filename === "string" ? result.model_filename : null;
  const flash = numberField(result, "flashAttn", line);
  return {
    format: "llama-rn",
    line,
    model: {
      description: null,
      architecture: null,
      sizeLabel: null,
      fileType: null,
      sizeBytes: null,
      sizeToleranceBytes: 0,
      params: null,
      paramsTolerance: 0,
      fileName,
      sha256: modelSha256Of(result.model_sha256, fileName),
    },
    backend: null,
    devices: null,
    cpuInfo: null,
    gpuInfo: null,
    threads: numberField(result, "nThreads", line),
    gpuLayers: numberField(result, "nGpuLayers", line),
    batchSize: numberField(result, "nBatch", line),
    ubatchSize: numberField(result, "nUBatch", line),
    flashAttention: flash === null ? null : flashAttentionFromLlamaBench(flash),
    typeK: null,
    typeV: null,
    build: { commit: null, number: null },
    testTime: null,
  };
}

/** One result into its prompt-processing row and its generation row. */
function rowsOfResult(result: Result, line: number): DeviceBenchRow[] {
  const base = emptyRow(result, line);
  const pp = tokens(result, "pp", line);
  const tg = tokens(result, "tg", line);
  if ("speedPp" in result) {
    const parallel = numberField(result, "pl", line) ?? 1;
    if (parallel !== 1)
      throw resultsFormatError(
        line,
        "pl",
        `${parallel} parallel sequences: only single-sequence speeds compare`,
      );
    const unknownSpread = { stddev: null, samples: null };
    return [
      {
        ...base,
        test: { promptTokens: pp, generateTokens: 0, depth: 0 },
        tokensPerSecond: { mean: positiveRate(result, "speedPp", line), ...unknownSpread },
      },
      // batched-bench generates after the prompt, in the same context: at depth pp.
      {
        ...base,
        test: { promptTokens: 0, generateTokens: tg, depth: pp },
        tokensPerSecond: { mean: positiveRate(result, "speedTg", line), ...unknownSpread },
      },
    ];
  }
  const description = typeof result.modelDesc === "string" ? result.modelDesc : null;
  const model = {
    ...base.model,
    description,
    ...(description === null ? {} : parseLlamaModelDescription(description)),
    sizeBytes: numberField(result, "modelSize", line),
    params: numberField(result, "modelNParams", line),
  };
  return [
    {
      ...base,
      model,
      test: { promptTokens: pp, generateTokens: 0, depth: 0 },
      tokensPerSecond: {
        mean: positiveRate(result, "ppAvg", line),
        stddev: numberField(result, "ppStd", line),
        samples: numberField(result, "nr", line),
      },
    },
    {
      ...base,
      model,
      test: { promptTokens: 0, generateTokens: tg, depth: 0 },
      tokensPerSecond: {
        mean: positiveRate(result, "tgAvg", line),
        stddev: numberField(result, "tgStd", line),
        samples: numberField(result, "nr", line),
      },
    },
  ];
}

/** `value`: the parsed JSON, found at `start` in `text`. */
export function parseLlamaRnBench(text: string, start: number, value: unknown): DeviceBenchRow[] {
  const results = Array.isArray(value) ? value : [value];
  const offsets = Array.isArray(value) ? arrayElementOffsets(text, start) : [start];
  return results.flatMap((result, index) => {
    const line = lineAt(text, offsets[index] ?? start);
    if (!isLlamaRnBenchResult(result))
      throw resultsFormatError(
        line,
        null,
        "not a llama.rn bench() result (no speedPp/speedTg or ppAvg/tgAvg)",
      );
    return rowsOfResult(result as Result, line);
  });
}
