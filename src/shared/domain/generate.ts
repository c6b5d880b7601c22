// Side-by-side generation: the same prompt through several variants, one after another in one worker,
// so the Compare screen can show what each one writes and how fast. Greedy unless a seed is given.
import { z } from "zod";
import { backendUsed, gpuSettings } from "./gpu.js";

export const generateJobParams = z.object({
  models: z
    .array(z.object({ modelId: z.string(), path: z.string().min(1) }))
    .min(1)
    .max(16),
  prompt: z.string().min(1).max(20000),
  maxTokens: z.number().int().min(1).max(4096).default(64),
  /** null: greedy (temperature 0); a number: sampling at temperature 0.8 with this seed. */
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 31 - 1)
    .nullable()
    .default(null),
  contextSize: z
    .number()
    .int()
    .min(64)
    .max(1 << 17)
    .default(1024),
  threads: z.number().int().min(1).max(1024).nullable().default(null),
  ...gpuSettings.shape,
});
export type GenerateJobParams = z.output<typeof generateJobParams>;
export type GenerateJobParamsInput = z.input<typeof generateJobParams>;

export const generateOutput = z.object({
  modelId: z.string(),
  text: z.string(),
  tokens: z.number().int(),
  /** Generated tokens after the first, over the time they took. */
  tokensPerSecond: z.number().nullable(),
  /** Prompt submitted → first generated token. */
  ttftMs: z.number().nullable(),
  loadMs: z.number(),
  /** Why it stopped: the token budget or an end-of-generation token. */
  stopReason: z.enum(["maxTokens", "eos"]),
});
export type GenerateOutput = z.infer<typeof generateOutput>;

export const generateJobResult = z.object({
  prompt: z.string(),
  outputs: z.array(generateOutput),
  /** The build and devices the generation ran on (absent in results recorded before it was kept). */
  backend: backendUsed.optional(),
});
export type GenerateJobResult = z.infer<typeof generateJobResult>;
