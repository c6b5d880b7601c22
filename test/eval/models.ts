// Models for the evaluation tests: a base GGUF and quantized variants of it, made with llama.cpp's own
// llama-quantize (built from the bundled source by scripts/build-llama-tools.js) and cached by name.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, renameSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { llamaQuantizeBinary } from "./llamaPerplexity.js";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
export const evalCacheDir = path.join(repoRoot, ".cache", "eval-test");

/** The quick fixture model (another engineer's helper writes it) or $CWB_EVAL_BASE. */
export function evalBaseModel(): string {
  const file = process.env.CWB_EVAL_BASE ?? path.join(repoRoot, ".cache", "fixture-model.gguf");
  if (!existsSync(file)) throw new Error(`${file}: the evaluation test model is missing`);
  return file;
}

/** `base` quantized to `type` (llama-quantize's names, e.g. Q4_0, Q8_0), cached beside the others. */
export function quantizedVariant(base: string, type: string): string {
  mkdirSync(evalCacheDir, { recursive: true });
  const stamp = Math.round(statSync(base).mtimeMs).toString(36); // a rebuilt base gets new variants
  const out = path.join(evalCacheDir, `${path.basename(base, ".gguf")}-${stamp}-${type}.gguf`);
  if (existsSync(out)) return out;
  const temp = `${out}.partial-${process.pid}`;
  execFileSync(llamaQuantizeBinary(), [base, temp, type, "2"], { stdio: "ignore" });
  renameSync(temp, out);
  return out;
}
