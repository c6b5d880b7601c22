// Quality evaluation of variants against their base (perplexity and KL divergence, as llama-perplexity
// measures them): what the user can choose and what one evaluation job reports. Shared by the job
// kind, the CLI, the store and the renderer.
import { z } from "zod";
import { machineFingerprint } from "./bench.js";
import { backendUsed, gpuSettings } from "./gpu.js";
import { batchSizeSetting, contextSizeSetting, threadsSetting } from "./llamaSettings.js";

/** Options of one evaluation; every field has a default, so `{}` is a valid request. */
export const evalSettings = z.object({
  /** Chunk length in tokens (llama-perplexity -c). */
  contextSize: contextSizeSetting(512),
  /** Chunks scored (llama-perplexity --chunks); null: every whole chunk of the text. */
  chunks: z
    .number()
    .int()
    .min(1)
    .max(1 << 20)
    .nullable()
    .default(null),
  /** Logical batch (llama-perplexity -b): batch / contextSize chunks are decoded together. */
  batchSize: batchSizeSetting(2048),
  /** null: llama.cpp's default, the machine's math cores (what llama-perplexity uses). */
  threads: threadsSetting,
  /** Compact base distributions: at most this many top tokens per position... */
  topKMax: z.number().int().min(1).max(4096).default(64),
  /** ...or fewer once they cover this much probability. */
  topMass: z.number().gt(0).max(1).default(0.999),
  /** ...plus this many tokens sampled from the rest, so the divergence inside the tail is estimated. */
  tailSamples: z.number().int().min(0).max(4096).default(64),
  ...gpuSettings.shape,
});
export type EvalSettingsInput = z.input<typeof evalSettings>;
export type EvalSettings = z.output<typeof evalSettings>;

export const estimate = z.object({ value: z.number(), uncertainty: z.number() });

/** The figures of one variant against the base (see shared/metrics/quality.ts). */
export const evalFigures = z.object({
  positions: z.number().int(),
  ppl: estimate,
  basePpl: estimate,
  pplRatio: estimate,
  pplDelta: estimate,
  lnPplRatio: estimate,
  kldMean: estimate,
  kldMedian: z.number(),
  kldP99: z.number(),
  kldP999: z.number(),
  kldMax: z.number(),
  sameTop: estimate,
  deltaPRms: estimate,
});
export type EvalFigures = z.infer<typeof evalFigures>;

export const evalVariantResult = z.object({
  modelId: z.string(),
  runId: z.string(),
  figures: evalFigures,
  evalSeconds: z.number(),
});

export const evalJobResult = z.object({
  baseModelId: z.string(),
  /** The base's own run (only when its distributions were computed by this job). */
  baseRunId: z.string().nullable(),
  basePpl: estimate,
  baseCache: z.object({ artifactId: z.string(), path: z.string(), bytes: z.number(), reused: z.boolean() }),
  variants: z.array(evalVariantResult),
  /** The build and devices the evaluation ran on (absent in results recorded before it was kept). */
  backend: backendUsed.optional(),
});
export type EvalJobResult = z.infer<typeof evalJobResult>;

/** Parameters of an "eval" job: everything resolved by the parent (ids, paths, hashes, the cache). */
export const evalJobParams = z.object({
  base: z.object({ modelId: z.string(), path: z.string().min(1), sha256: z.string() }),
  variants: z.array(z.object({ modelId: z.string(), path: z.string().min(1) })),
  text: z.object({ path: z.string().min(1), sha256: z.string(), textSetId: z.string().nullable() }),
  settings: evalSettings,
  /** A cached base file for exactly these settings, or null: the job computes it first. */
  baseCachePath: z.string().nullable(),
});
export type EvalJobParams = z.output<typeof evalJobParams>;

/** The base pass of an evaluation: its own figures and the compact base file it wrote. */
export const basePassOutput = z.object({
  figures: evalFigures,
  evalSeconds: z.number(),
  file: z.object({
    path: z.string(),
    bytes: z.number(),
    meanK: z.number(),
    meanRestMass: z.number(),
    maxRestMass: z.number(),
  }),
  nVocab: z.number(),
  nTokens: z.number(),
});
export type BasePassOutput = z.infer<typeof basePassOutput>;

/** What the eval worker returns (worker/eval/runEvaluation.ts); the parent records it. */
export const evaluationOutput = z.object({
  /** Null when the cached base file was reused. */
  base: basePassOutput.nullable(),
  variants: z.array(
    z.object({
      modelId: z.string(),
      figures: evalFigures,
      evalSeconds: z.number(),
      kldExactMean: z.number().optional(),
    }),
  ),
  chunks: z.number(),
  contextSize: z.number(),
  /** CPU threads used (the setting, or llama.cpp's default: the machine's math cores). */
  threads: z.number(),
  machine: machineFingerprint,
  llamaBuild: z.string(),
  backend: backendUsed,
});
export type EvaluationOutput = z.infer<typeof evaluationOutput>;
