// Random-weight models of real shapes, for speed measurements at a size where generation is bound by
// memory bandwidth, as real models are (the reference model is small enough to live in a CPU's cache).
// Speed and memory do not depend on the weights' values; quality figures of such a model mean
// nothing, so it is only ever benchmarked and labelled "random weights, speed only".
import { z } from "zod";

export interface RandomModelShape {
  /** What the shape is taken from, as shown to the user. */
  readonly title: string;
  readonly nLayer: number;
  readonly nEmbd: number;
  readonly nFf: number;
  readonly nHead: number;
  readonly nHeadKv: number;
  /** llama.cpp's vocabulary file (models/) whose tokenizer the model gets, and its piece count. */
  readonly vocabFile: string;
  readonly vocabPieces: number;
}

export const randomModelShapes = {
  // SmolLM2-360M's layers (32 × 960, FFN 2560, 15 heads, 5 KV heads) with Llama 2's 32,000-piece
  // tokenizer instead of its own 49,152 (llama.cpp ships no vocabulary file for it): ~360 M
  // parameters, 0.73 GB as F16, 0.39 GB as Q8_0 — far beyond any CPU cache, built in seconds.
  "smollm2-360m": {
    title: "SmolLM2-360M layer shape, Llama 2 tokenizer",
    nLayer: 32,
    nEmbd: 960,
    nFf: 2560,
    nHead: 15,
    nHeadKv: 5,
    vocabFile: "ggml-vocab-llama-spm.gguf",
    vocabPieces: 32_000,
  },
} as const satisfies Record<string, RandomModelShape>;

export const randomModelShapeName = z.enum(
  Object.keys(randomModelShapes) as [keyof typeof randomModelShapes],
);
export type RandomModelShapeName = z.infer<typeof randomModelShapeName>;

export const randomModelParams = z.object({
  shape: randomModelShapeName,
  /** Where the model goes (the parent's cache path; the worker writes into its temp folder). */
  outPath: z.string().min(1),
});
export type RandomModelParams = z.output<typeof randomModelParams>;

export const randomModelResult = z.object({
  shape: randomModelShapeName,
  /** The file: the worker's temp file in its value, the final path in the job's result. */
  modelPath: z.string(),
  sizeBytes: z.number().int(),
  nParams: z.number().int(),
});
export type RandomModelResult = z.output<typeof randomModelResult>;

/** Parameters of a shape as llama.cpp counts them (separate output matrix, norms included). */
export function randomModelParameterCount(shape: RandomModelShape): number {
  const kv = (shape.nEmbd / shape.nHead) * shape.nHeadKv;
  const perLayer =
    2 * shape.nEmbd * shape.nEmbd + 2 * shape.nEmbd * kv + 3 * shape.nEmbd * shape.nFf + 2 * shape.nEmbd;
  return shape.nLayer * perLayer + 2 * shape.vocabPieces * shape.nEmbd + shape.nEmbd;
}
