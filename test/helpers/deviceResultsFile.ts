// A llama-bench jsonl file as it comes back from a device: one tg128 row for a tiny F16 model of the
// library, matched by the SHA-256 it carries (docs/device-results.md).
import { writeFileSync } from "node:fs";

export interface GenerationResult {
  readonly sha256: string;
  readonly sizeBytes: number;
  readonly parameterCount: number;
  readonly tokensPerSecond: number;
  readonly stddev: number;
}

/** Writes the file and returns its path. */
export function writeGenerationResult(file: string, result: GenerationResult): string {
  const row = {
    model_type: "llama ?B F16",
    model_size: result.sizeBytes,
    model_n_params: result.parameterCount,
    model_sha256: result.sha256,
    n_prompt: 0,
    n_gen: 128,
    avg_ts: result.tokensPerSecond,
    stddev_ts: result.stddev,
    backends: "CPU",
  };
  writeFileSync(file, `${JSON.stringify(row)}\n`);
  return file;
}
