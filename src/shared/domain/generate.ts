// Side-by-side generation: the same prompt through several variants, one after another in one worker,
// so the Compare screen can show what each one writes and how fast. Greedy unless a seed is given.
import { z } from "zod";
import { backendUsed, gpuSettings } from "./gpu.js";
import { appPredictionCounts } from "./speculate.js";

const modelRef = z.object({ modelId: z.string(), path: z.string().min(1) });

/**
 * A side generated with one of node-llama-cpp's token predictors, as an app would: a draft model of
 * the same vocabulary (DraftSequenceTokenPredictor) or prompt lookup (InputLookupTokenPredictor).
 */
export const generateSpeculation = z.discriminatedUnion("predictor", [
  z.object({
    predictor: z.literal("draft"),
    draft: modelRef,
    predictMax: z.number().int().min(1).max(64).default(8),
  }),
  z.object({ predictor: z.literal("inputLookup"), predictMax: z.number().int().min(1).max(64).default(8) }),
]);
export type GenerateSpeculation = z.output<typeof generateSpeculation>;
export type GenerateSpeculationInput = z.input<typeof generateSpeculation>;

export const generateJobParams = z.object({
  models: z
    .array(modelRef.extend({ speculation: generateSpeculation.nullable().default(null) }))
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
  /** With a token predictor: its counts and which written tokens it predicted (absent in older results). */
  speculation: z
    .object({
      predictor: z.enum(["draft", "inputLookup"]),
      draftModelId: z.string().nullable(),
      counts: appPredictionCounts,
      acceptanceRate: z.number().nullable(),
      /** Per written token: a validated prediction. */
      acceptedMask: z.array(z.boolean()),
      /** Per written token its text; the pieces join to `text`. */
      pieces: z.array(z.string()),
    })
    .nullable()
    .optional(),
});
export type GenerateOutput = z.infer<typeof generateOutput>;

export const generateJobResult = z.object({
  prompt: z.string(),
  outputs: z.array(generateOutput),
  /** The build and devices the generation ran on (absent in results recorded before it was kept). */
  backend: backendUsed.optional(),
});
export type GenerateJobResult = z.infer<typeof generateJobResult>;
