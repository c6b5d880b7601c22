// The project's own small trained model (`cwb reference-model`): what building it reports. Shared by
// the job kind, the CLI and tests.
import { z } from "zod";

export const referenceVariant = z.enum(["full", "quick"]);
export type ReferenceVariant = z.output<typeof referenceVariant>;

export const referenceBuildParams = z.object({
  /** "quick" trains a few steps only: same shapes and files, for pipeline checks, not for quality. */
  variant: referenceVariant.default("full"),
});
export type ReferenceBuildParams = z.output<typeof referenceBuildParams>;

export const referenceArchitecture = z.object({
  architecture: z.literal("llama"),
  nVocab: z.number().int(),
  nEmbd: z.number().int(),
  nFf: z.number().int(),
  nLayer: z.number().int(),
  nHead: z.number().int(),
  nCtx: z.number().int(),
  nParams: z.number().int(),
  storage: z.string(),
});

export const referenceTraining = z.object({
  steps: z.number().int(),
  /** The recipe's step count; more than `steps` when the clock limit ended training early. */
  plannedSteps: z.number().int(),
  timeLimited: z.boolean(),
  tokensPerStep: z.number().int(),
  tokens: z.number().int(),
  /** Tokens available in the training addresses (one pass would be this many). */
  corpusTokens: z.number().int(),
  seconds: z.number(),
  tokensPerSecond: z.number(),
  finalLoss: z.number(),
  lr: z.number(),
  lrMin: z.number(),
  warmupSteps: z.number().int(),
  seed: z.number().int(),
  /** Regex of the tensors the optimizer updated; empty = all of them (token_embd is never trained). */
  trainable: z.string(),
  /** Held-out perplexity of the bigram start, before the optimizer ran (same windows as heldOut). */
  startPerplexity: z.number(),
});

export const referenceHeldOut = z.object({
  /** Years of the addresses scored (never trained on). */
  years: z.array(z.number().int()),
  tokens: z.number().int(),
  windowTokens: z.number().int(),
  perplexity: z.number(),
  /** Add-one unigram model of the same tokenizer, estimated on the training tokens. */
  unigramPerplexity: z.number(),
  /** unigramPerplexity / perplexity. */
  improvement: z.number(),
});

export const referenceText = z.object({
  path: z.string(),
  years: z.array(z.number().int()),
  bytes: z.number().int(),
});

export const referenceModelResult = z.object({
  variant: referenceVariant,
  recipeHash: z.string(),
  /** True when the result was read from the cache instead of built now. */
  cached: z.boolean(),
  dir: z.string(),
  modelPath: z.string(),
  name: z.string(),
  sizeBytes: z.number().int(),
  architecture: referenceArchitecture,
  tokenizer: z.object({ source: z.string(), pieces: z.number().int() }),
  textSource: z.object({ package: z.string(), version: z.string(), addresses: z.number().int() }),
  training: referenceTraining,
  heldOut: referenceHeldOut,
  /** Held-out addresses for importance matrices and calibration (different years from evalText). */
  calibrationText: referenceText,
  /** Held-out addresses for quality evaluation. */
  evalText: referenceText,
  buildSeconds: z.number(),
  builtAt: z.string(),
});
export type ReferenceModelResult = z.output<typeof referenceModelResult>;
