// Speculative decoding (cwb speculate): a small draft model proposes tokens, the target checks them
// all in one batch and keeps the longest prefix it agrees with. Greedy runs must write exactly what
// the target writes alone; the point is speed, measured against the target alone on the same prompts.
import { z } from "zod";
import { backendUsed, gpuSettings } from "./gpu.js";
import { machineFingerprint } from "./bench.js";
import { threadsSetting } from "./llamaSettings.js";
import type { Metric } from "./run.js";
import { mean, stddev } from "../metrics/stats.js";

const modelRef = z.object({ modelId: z.string(), path: z.string().min(1) });

/** Draft sizes `--draft-max auto` tries, smallest first. */
export const draftMaxSweep = [2, 4, 8, 16] as const;

export const speculateSettings = z.object({
  maxTokens: z.number().int().min(1).max(4096).default(64),
  /** Most tokens the draft proposes per round; "auto" measures each of draftMaxSweep and keeps the fastest. */
  draftMax: z.union([z.number().int().min(1).max(64), z.literal("auto")]).default(8),
  /** A shorter draft than this is dropped and the target generates one token alone (llama.cpp's n_min). */
  draftMin: z.number().int().min(0).max(64).default(0),
  /** The draft stops when its top token's probability is below this (llama.cpp's p_min; 0: never). */
  pMin: z.number().min(0).max(1).default(0),
  /** Timed repetitions of every prompt, for the spread of the speeds. */
  reps: z.number().int().min(1).max(20).default(3),
  contextSize: z
    .number()
    .int()
    .min(64)
    .max(1 << 17)
    .default(1024),
  threads: threadsSetting,
  /** 0: greedy (output checked against the target alone); above: speculative sampling at this temperature. */
  temperature: z.number().min(0).max(100).default(0),
  /** Sampling: the seed (every prompt and repetition draws from its own stream derived from it). */
  seed: z.number().int().min(0).max(0xffffffff).default(0),
  /**
   * Test hook: replace every Nth drafted token by another token, so the target must reject it and
   * both caches must be trimmed; the output must still be the target's own. 0: off.
   */
  corruptDraftEvery: z.number().int().min(0).default(0),
  /**
   * Also measure the app view: what an app on node-llama-cpp gets from its token predictors on the
   * same prompts (appSpeculation.ts). Off by default: it generates three more times per repetition.
   */
  appView: z.boolean().default(false),
  ...gpuSettings.shape,
});
export type SpeculateSettings = z.output<typeof speculateSettings>;
export type SpeculateSettingsInput = z.input<typeof speculateSettings>;

export const speculateJobParams = z.object({
  target: modelRef,
  /** null: no draft model; only the app view's prompt lookup runs (it needs no draft). */
  draft: modelRef.nullable(),
  prompts: z.array(z.string().min(1).max(20000)).min(1).max(64),
  settings: speculateSettings,
});
export type SpeculateJobParams = z.output<typeof speculateJobParams>;
export type SpeculateJobParamsInput = z.input<typeof speculateJobParams>;

/** Mean and sample standard deviation over repetitions (null with one sample). */
export const spreadValue = z.object({
  mean: z.number(),
  stddev: z.number().nullable(),
  samples: z.number().int(),
});
export type SpreadValue = z.infer<typeof spreadValue>;

export function spreadOf(values: readonly number[]): SpreadValue {
  return { mean: mean(values), stddev: stddev(values), samples: values.length };
}

export const speculateCounts = z.object({
  /** Tokens the draft proposed and the target was asked to check (llama.cpp's n_drafted). */
  drafted: z.number().int(),
  /** Drafted tokens the target agreed with (llama.cpp's n_accept). */
  accepted: z.number().int(),
  /** Target batches (draft + check rounds). */
  rounds: z.number().int(),
  /** Tokens written (accepted ones plus the target's own token of each round; llama.cpp's n_predict). */
  generated: z.number().int(),
});
export type SpeculateCounts = z.infer<typeof speculateCounts>;

export const speculatePromptResult = z.object({
  prompt: z.string(),
  counts: speculateCounts,
  acceptanceRate: z.number().nullable(),
  /** Accepted draft tokens per round. */
  meanAcceptedLength: z.number().nullable(),
  text: z.string(),
  /** Per generated token: true when it was a draft token the target accepted (for highlighting). */
  acceptedMask: z.array(z.boolean()),
  speculativeTokensPerSecond: spreadValue,
  targetTokensPerSecond: spreadValue,
  /** Speculative over target-alone speed, per repetition. */
  speedup: spreadValue,
  /** Shares of the speculative time spent in the draft and in the target. */
  draftTimeShare: z.number(),
  targetTimeShare: z.number(),
});
export type SpeculatePromptResult = z.infer<typeof speculatePromptResult>;

export const speculateSweepPoint = z.object({
  draftMax: z.number().int(),
  prompts: z.array(speculatePromptResult),
  counts: speculateCounts,
  acceptanceRate: z.number().nullable(),
  meanAcceptedLength: z.number().nullable(),
  speedup: spreadValue,
  speculativeTokensPerSecond: spreadValue,
  targetTokensPerSecond: spreadValue,
});
export type SpeculateSweepPoint = z.infer<typeof speculateSweepPoint>;

/**
 * node-llama-cpp's prediction counts (`sequence.tokenPredictions`): `drafted` = validated + refuted
 * (predictions the target checked), `accepted` = validated, `used` = validated ones actually written
 * (the rest were checked after the last written token).
 */
export const appPredictionCounts = z.object({
  drafted: z.number().int(),
  accepted: z.number().int(),
  used: z.number().int(),
});
export type AppPredictionCounts = z.infer<typeof appPredictionCounts>;

export const appPredictorPrompt = z.object({
  prompt: z.string(),
  /** From the first repetition (greedy: every repetition writes the same tokens). */
  counts: appPredictionCounts,
  acceptanceRate: z.number().nullable(),
  text: z.string(),
  /** Per written token: it came from a validated prediction (for highlighting). */
  acceptedMask: z.array(z.boolean()),
  tokensPerSecond: spreadValue,
  /** With the predictor over without it, per repetition. */
  speedup: spreadValue,
});
export type AppPredictorPrompt = z.infer<typeof appPredictorPrompt>;

export const appPredictorResult = z.object({
  prompts: z.array(appPredictorPrompt),
  counts: appPredictionCounts,
  acceptanceRate: z.number().nullable(),
  /** Per repetition the mean over prompts; the spread is the repetitions'. */
  tokensPerSecond: spreadValue,
  speedup: spreadValue,
});
export type AppPredictorResult = z.infer<typeof appPredictorResult>;

/**
 * The app view: node-llama-cpp's own speculative path (`sequence.evaluate` with a token predictor),
 * greedy, against the same sequence API without a predictor. `draft` is DraftSequenceTokenPredictor
 * on the draft model (null without one), `inputLookup` is InputLookupTokenPredictor (prompt lookup).
 */
export const speculateAppView = z.object({
  /** Tokens written per prompt (exactly, unless the target ends earlier). */
  maxTokens: z.number().int(),
  /** Predictions per step: the draft's maxTokens and prompt lookup's longest prediction. */
  predictMax: z.number().int(),
  /** Tokens per second without a predictor, per repetition the mean over prompts. */
  baselineTokensPerSecond: spreadValue,
  baselinePrompts: z.array(z.object({ prompt: z.string(), tokensPerSecond: spreadValue })),
  draft: appPredictorResult.nullable(),
  inputLookup: appPredictorResult,
});
export type SpeculateAppView = z.infer<typeof speculateAppView>;

export const speculateMeasurement = z.object({
  /** The engine view, one point per draft size; empty without a draft model. */
  points: z.array(speculateSweepPoint),
  /** The draft size of the fastest point (null without a draft model). */
  bestDraftMax: z.number().int().nullable(),
  memory: z.object({ targetBytes: z.number(), draftBytes: z.number() }),
  machine: machineFingerprint,
  llamaBuild: z.string(),
  nodeLlamaCpp: z.string(),
  backend: backendUsed,
  /** The settings as run (threads resolved). */
  settings: speculateSettings.extend({ threads: z.number().int() }),
  loadAverage: z.array(z.number()),
  /** Absent in results recorded before it existed; null when not asked for. */
  appView: speculateAppView.nullable().optional(),
});
export type SpeculateMeasurement = z.infer<typeof speculateMeasurement>;

export const speculateReport = speculateMeasurement.extend({
  runIds: z.array(z.string()),
  targetModelId: z.string(),
  draftModelId: z.string().nullable(),
});
export type SpeculateReport = z.infer<typeof speculateReport>;

/** One sweep point as run metrics (recorded on the target model, the draft named in the settings). */
export function speculateMetrics(point: SpeculateSweepPoint): Metric[] {
  const spread = (name: string, value: SpreadValue, unit: string) => ({
    name,
    value: value.mean,
    unit,
    stddev: value.stddev,
    samples: value.samples,
  });
  const plain = (name: string, value: number, unit: string) => ({
    name,
    value,
    unit,
    stddev: null,
    samples: null,
  });
  return [
    spread("speedup", point.speedup, "x"),
    spread("spec_tokens_per_second", point.speculativeTokensPerSecond, "tok/s"),
    spread("target_tokens_per_second", point.targetTokensPerSecond, "tok/s"),
    ...(point.acceptanceRate === null ? [] : [plain("acceptance_rate", point.acceptanceRate, "ratio")]),
    ...(point.meanAcceptedLength === null
      ? []
      : [plain("mean_accepted_length", point.meanAcceptedLength, "tokens")]),
    plain("drafted", point.counts.drafted, "tokens"),
    plain("accepted", point.counts.accepted, "tokens"),
  ];
}
