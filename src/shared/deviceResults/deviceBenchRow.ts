// One speed measurement made on a device (a phone, a board, another computer) by llama.cpp's
// llama-bench or llama.rn's bench(), read from the file the user brings back. Every format is
// normalised into this row (parseDeviceResults.ts); matching and recording work on it alone.
import { z } from "zod";

export const deviceResultsFormats = [
  "llama-bench-json",
  "llama-bench-jsonl",
  "llama-bench-csv",
  "llama-bench-md",
  "llama-rn",
] as const;
export const deviceResultsFormat = z.enum(deviceResultsFormats);
export type DeviceResultsFormat = z.infer<typeof deviceResultsFormat>;

/** What the row says about the model it measured; any of it may be missing (llama.rn prints none). */
export const benchedModel = z.object({
  /** llama.cpp's llama_model_desc: "llama 1B Q4_K - Medium". */
  description: z.string().nullable(),
  architecture: z.string().nullable(),
  /** "1B", "?B" (llama.cpp did not recognise the size). */
  sizeLabel: z.string().nullable(),
  /** The file type as llama-quantize names it ("Q4_K_M", "F16"), read from the description. */
  fileType: z.string().nullable(),
  /** llama_model_size: the bytes of every tensor (not the file size). */
  sizeBytes: z.number().nullable(),
  /** How far sizeBytes may be from the truth: 0 when printed exactly, half the last digit when rounded. */
  sizeToleranceBytes: z.number(),
  params: z.number().nullable(),
  paramsTolerance: z.number(),
  /** The path the bench was given (llama-bench's model_filename). */
  fileName: z.string().nullable(),
  /** The GGUF file's SHA-256 when the result carries it (a model_sha256 field, or the file named by it). */
  sha256: z.string().nullable(),
});
export type BenchedModel = z.infer<typeof benchedModel>;

/** The test: prompt tokens processed, tokens generated, after `depth` tokens already in the context. */
export const benchTest = z.object({
  promptTokens: z.number().int().min(0),
  generateTokens: z.number().int().min(0),
  depth: z.number().int().min(0),
});
export type BenchTest = z.infer<typeof benchTest>;

export const deviceBenchRow = z.object({
  format: deviceResultsFormat,
  /** 1-based line of the file where the row starts, for messages. */
  line: z.number().int().min(1),
  model: benchedModel,
  test: benchTest,
  /** Tokens per second: the mean over repetitions, their sample stddev, and the count when known. */
  tokensPerSecond: z.object({
    mean: z.number(),
    stddev: z.number().nullable(),
    samples: z.number().int().nullable(),
  }),
  /** llama-bench's "backends" ("CPU", "Metal,BLAS", "Vulkan"). */
  backend: z.string().nullable(),
  devices: z.string().nullable(),
  cpuInfo: z.string().nullable(),
  gpuInfo: z.string().nullable(),
  threads: z.number().int().nullable(),
  gpuLayers: z.number().int().nullable(),
  batchSize: z.number().int().nullable(),
  ubatchSize: z.number().int().nullable(),
  flashAttention: z.enum(["auto", "on", "off"]).nullable(),
  typeK: z.string().nullable(),
  typeV: z.string().nullable(),
  build: z.object({ commit: z.string().nullable(), number: z.number().int().nullable() }),
  /** When the test ran (RFC 3339), when the file says. */
  testTime: z.string().nullable(),
});
export type DeviceBenchRow = z.infer<typeof deviceBenchRow>;

/**
 * The metric a row records, named like the app's own bench metrics: "pp.512", "tg.128"; a combined
 * test is "pg.512.128"; a test after a filled context adds its depth: "tg.128.d4096".
 */
export function benchTestMetricName(test: BenchTest): string {
  const { promptTokens: pp, generateTokens: tg, depth } = test;
  const base = tg === 0 ? `pp.${pp}` : pp === 0 ? `tg.${tg}` : `pg.${pp}.${tg}`;
  return depth > 0 ? `${base}.d${depth}` : base;
}

/** The test as llama-bench prints it: "pp512", "tg128", "pp512+tg128", "tg128 @ d4096". */
export function describeBenchTest(test: BenchTest): string {
  const { promptTokens: pp, generateTokens: tg, depth } = test;
  const base = tg === 0 ? `pp${pp}` : pp === 0 ? `tg${tg}` : `pp${pp}+tg${tg}`;
  return depth > 0 ? `${base} @ d${depth}` : base;
}

/** llama-bench's flash_attn field (-1 auto, 0 off, 1 on) as the app's setting. */
export function flashAttentionFromLlamaBench(value: number): "auto" | "on" | "off" | null {
  if (value < 0) return "auto";
  if (value === 0) return "off";
  if (value === 1) return "on";
  return null;
}
