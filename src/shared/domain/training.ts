// Training a model on a text (the "train" job): next-token targets from the text, llama.cpp's AdamW
// with warm-up and cosine decay. Distillation (distill.ts) feeds a teacher's distributions through
// the same trainer.
import { z } from "zod";

/** Tokens per optimizer step: llama.cpp trains on contexts that are a multiple of 256. */
export function trainingContextSize(fallback: number) {
  return z
    .number()
    .int()
    .min(256)
    .max(1 << 15)
    .refine((n) => n % 256 === 0, "contextSize must be a multiple of 256")
    .default(fallback);
}

export const trainSettings = z.object({
  /** Tokens per sequence = per optimizer step. */
  contextSize: trainingContextSize(512),
  /** Gradients of contextSize / microBatch micro-batches are accumulated per step. */
  microBatch: z.number().int().min(16).max(4096).default(128),
  /** Cap on optimizer steps (default: `epochs` passes over the text). */
  steps: z.number().int().min(1).nullable().default(null),
  epochs: z.number().int().min(1).max(1000).default(1),
  lr: z.number().positive().default(1e-3),
  lrMin: z.number().nonnegative().default(1e-4),
  warmupSteps: z.number().int().nonnegative().default(10),
  weightDecay: z.number().nonnegative().default(0),
  seed: z.number().int().nonnegative().default(1),
  threads: z.number().int().min(1).max(1024).nullable().default(null),
  /** Regex on tensor names to train (default: all that llama.cpp trains, i.e. all but token_embd). */
  trainable: z.string().min(1).nullable().default(null),
  /** Storage of the trained model's matrices. */
  storage: z.enum(["f32", "f16", "bf16"]).default("f16"),
});
export type TrainSettingsInput = z.input<typeof trainSettings>;

export const trainJobParams = z
  .object({
    /** F32, F16 or BF16 GGUF (quantized models cannot be trained). */
    modelPath: z.string().min(1),
    textPath: z.string().min(1),
    /** Final path of the trained model; never overwritten. */
    outPath: z.string().min(1),
    settings: trainSettings.default(trainSettings.parse({})),
  })
  .refine(
    (p) => p.settings.contextSize % p.settings.microBatch === 0,
    "contextSize must be a multiple of microBatch",
  );
export type TrainJobParams = z.output<typeof trainJobParams>;

export const trainJobResult = z.object({
  outPath: z.string(),
  textTokens: z.number().int(),
  steps: z.number().int(),
  tokens: z.number().int(),
  seconds: z.number(),
  tokensPerSecond: z.number(),
  firstLoss: z.number(),
  finalLoss: z.number(),
  sizeBytes: z.number().int(),
});
export type TrainJobResult = z.output<typeof trainJobResult>;
