// The llama.cpp settings that bench, eval, imatrix and layer scans all take, defined once: the same
// bounds everywhere, each kind choosing its own default (llama-bench's batch is not llama-perplexity's).
import { z } from "zod";

/** CPU threads; null: llama.cpp's default, the machine's math cores. */
export const threadsSetting = z.number().int().min(1).max(1024).nullable().default(null);

/** A logical batch in tokens. */
export function batchSizeSetting(defaultTokens: number) {
  return z
    .number()
    .int()
    .min(1)
    .max(1 << 16)
    .default(defaultTokens);
}

/** A context (chunk) length in tokens. */
export function contextSizeSetting(defaultTokens: number) {
  return z
    .number()
    .int()
    .min(16)
    .max(1 << 17)
    .default(defaultTokens);
}
