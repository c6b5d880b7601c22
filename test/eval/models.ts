// Models for the evaluation tests: a base GGUF and quantized variants of it, made with llama.cpp's own
// llama-quantize (built from the bundled source by scripts/build-llama-tools.js) and cached by name.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, renameSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { referenceModel } from "../helpers/referenceModel.js";
import { llamaQuantizeBinary } from "./llamaPerplexity.js";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
export const evalCacheDir = path.join(repoRoot, ".cache", "eval-test");

/**
 * The base model of the evaluation tests: the project's reference model (trained on State of the Union
 * addresses; built once and cached by test/helpers/referenceModel.ts) with its held-out eval text, or
 * $CWB_EVAL_BASE (and $CWB_EVAL_TEXT) to try another model.
 */
export async function evalBase(): Promise<{ model: string; text: string | null }> {
  const override = process.env.CWB_EVAL_BASE;
  if (override) {
    if (!existsSync(override)) throw new Error(`${override}: CWB_EVAL_BASE names no file`);
    return { model: override, text: process.env.CWB_EVAL_TEXT ?? null };
  }
  const ref = await referenceModel();
  return { model: ref.modelPath, text: ref.evalText.path };
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
