// How a GGUF is cut into shards, in llama-gguf-split's terms: at most so many bytes of tensor data,
// or at most so many tensors, per shard.
import { z } from "zod";

export const splitLimit = z.discriminatedUnion("by", [
  /** Tensor data per shard (each tensor padded to 32 bytes), the header not counted, as llama-gguf-split counts. */
  z.object({ by: z.literal("size"), maxBytes: z.number().int().positive() }),
  z.object({ by: z.literal("tensors"), maxTensors: z.number().int().positive() }),
]);
export type SplitLimit = z.infer<typeof splitLimit>;

/**
 * "500M" or "2G" as llama-gguf-split reads --split-max-size: a positive whole number of decimal
 * megabytes (10^6) or gigabytes (10^9). Anything else gives the reason it is refused.
 */
export function parseSplitMaxSize(text: string): { bytes: number } | { error: string } {
  const match = /^(\d+)([MG])$/.exec(text.trim());
  if (!match) {
    return {
      error: `"${text}" is not a shard size: write a whole number followed by M (megabytes) or G (gigabytes), e.g. 500M or 2G`,
    };
  }
  const count = Number(match[1]);
  if (count <= 0) return { error: `"${text}": the shard size must be positive` };
  return { bytes: count * (match[2] === "G" ? 1e9 : 1e6) };
}

/** The name llama.cpp gives shard `index` (0-based) of `count`: <prefix>-00001-of-00003.gguf. */
export function shardFileName(prefix: string, index: number, count: number): string {
  const five = (n: number): string => String(n).padStart(5, "0");
  return `${prefix}-${five(index + 1)}-of-${five(count)}.gguf`;
}
