// An experiment: one recipe applied to one base model (a sweep of quant levels), its variants and
// their measured trade-offs. The summary row is what the Compare screen, the CLI table and the
// reports show; it is derived from the runs in the database, never stored.
import { z } from "zod";
import { distillSettings } from "./distill.js";
import { gpuSettings } from "./gpu.js";
import { runDevice } from "./runDevice.js";

/**
 * How a sweep's chain prunes the base before quantizing: the N least important blocks (ranked by
 * `cwb layers` on the calibration text), listed blocks, or width ("0.75", "75%" or a count kept of
 * the FFN channels and/or KV groups, measured on the calibration text).
 */
export const sweepPrune = z.discriminatedUnion("by", [
  z.object({ by: z.literal("least-important"), drop: z.number().int().min(1) }),
  z.object({ by: z.literal("blocks"), blocks: z.array(z.number().int().nonnegative()).min(1) }),
  z.object({
    by: z.literal("width"),
    ffnKeep: z.string().min(1).nullable().default(null),
    headsKeep: z.string().min(1).nullable().default(null),
  }),
]);
export type SweepPrune = z.output<typeof sweepPrune>;

/** The pruned model's label ("pruned-1", "pruned-width") and the healed one's. */
export function chainLabels(prune: SweepPrune): { pruned: string; healed: string } {
  const pruned =
    prune.by === "least-important"
      ? `pruned-${prune.drop}`
      : prune.by === "blocks"
        ? `pruned-${new Set(prune.blocks).size}`
        : "pruned-width";
  return { pruned, healed: "healed" };
}

/** A quant of a chain model: "Q4_K_M · pruned-1", "Q4_K_M · healed". */
export function chainVariantLabel(type: string, chainLabel: string): string {
  return `${type} · ${chainLabel}`;
}

/** Healing the pruned model by distillation from the base (docs/distillation.md). */
export const sweepDistill = z.object({
  settings: distillSettings,
  /** Training text (default: the sweep's calibration text). */
  text: z.string().min(1).nullable().default(null),
  /** Held-out text whose loss and KLD to the teacher are followed while training (optional). */
  heldout: z.string().min(1).nullable().default(null),
});
export type SweepDistill = z.output<typeof sweepDistill>;

/**
 * Speculative decoding in a sweep (docs/speculative.md, "In the loop and in the UI"): the target
 * ("original" for the base, a variant's label or type such as "Q8_0", or a library model id) decoded
 * with each draft ("all" variants of the sweep but the target, or the listed labels/types).
 */
export const sweepSpeculate = z.object({
  target: z.string().min(1),
  drafts: z.union([z.literal("all"), z.array(z.string().min(1)).min(1)]).default("all"),
  prompts: z.array(z.string().min(1).max(20000)).min(1).max(64),
  maxTokens: z.number().int().min(1).max(4096).default(32),
  draftMax: z.number().int().min(1).max(64).default(4),
  reps: z.number().int().min(1).max(20).default(2),
});
export type SweepSpeculate = z.output<typeof sweepSpeculate>;

export const sweepRecipe = z.object({
  /**
   * Quant types (names from shared/quantTypes.ts), one variant each. "TYPE+imatrix" quantizes that
   * one with the importance matrix; when no entry says so, an imatrix given applies to every type.
   */
  types: z.array(z.string().min(1)).min(1),
  /**
   * "none": no importance matrix; "auto": computed from the calibration text (or reused);
   * a path: that imatrix file.
   */
  imatrix: z
    .union([z.literal("none"), z.literal("auto"), z.object({ path: z.string().min(1) })])
    .default("none"),
  /** Calibration text for "auto" (default: the reference model's calibration text). */
  calibrationText: z.string().nullable().default(null),
  /** Evaluation text; null skips the quality evaluation. */
  evalText: z.string().nullable().default(null),
  evalContextSize: z.number().int().min(16).default(256),
  evalChunks: z.number().int().min(1).nullable().default(null),
  bench: z.boolean().default(false),
  /** Benchmark repetitions (small values keep sweeps quick). */
  benchReps: z.number().int().min(1).max(50).default(3),
  /**
   * Benchmark rounds: every model is benchmarked once per round, in alternating order (ABC, CBA, …),
   * so drift over the sweep does not favour whoever ran first; the table pools the rounds.
   */
  benchRounds: z.number().int().min(1).max(10).default(2),
  threads: z.number().int().min(1).nullable().default(null),
  /** Per-tensor overrides applied to every variant, "REGEX=TYPE" as llama-quantize's --tensor-type. */
  tensorTypes: z.array(z.string().min(3)).default([]),
  /** Quantize a base whose tensors are already quantized (llama.cpp refuses unless allowed). */
  allowRequantize: z.boolean().default(false),
  /**
   * The chain: prune the base, optionally heal it by distillation, and quantize the pruned (and
   * healed) model to every type as well, all scored against the original base.
   */
  prune: sweepPrune.nullable().default(null),
  /** Needs `prune`. */
  distill: sweepDistill.nullable().default(null),
  /** Speculative decoding of a target with every (or the chosen) variants as its draft. */
  speculate: sweepSpeculate.nullable().default(null),
  /** The build and device of the sweep's benchmarks, evaluations and importance matrix (default: auto). */
  ...gpuSettings.shape,
});
export type SweepRecipe = z.output<typeof sweepRecipe>;
export type SweepRecipeInput = z.input<typeof sweepRecipe>;

const num = z.number().nullable();

/**
 * Where a row stands in a sweep's chain: the original (the base and its quants), pruned (the pruned
 * model and its quants) or healed (the pruned model distilled from the base, and its quants).
 */
export const chainStages = ["original", "pruned", "healed"] as const;
export const chainStage = z.enum(chainStages);
export type ChainStage = z.infer<typeof chainStage>;

/** The spread of a figure that is a mean over repetitions (benchmark reps, pooled rounds). */
export const measuredSpread = z.object({ stddev: z.number(), samples: z.number().int() });
export type MeasuredSpread = z.infer<typeof measuredSpread>;

export const experimentRow = z.object({
  modelId: z.string(),
  stage: chainStage,
  /** "base", or the quant type ("Q4_K_M"), with "+imatrix" when one was used. */
  label: z.string(),
  quantType: z.string().nullable(),
  /** A mix chosen by the search (docs/search.md), shown though it is not a member; absent: no. */
  searched: z.boolean().optional(),
  isBase: z.boolean(),
  usesImatrix: z.boolean(),
  path: z.string(),
  sizeBytes: z.number(),
  bitsPerWeight: num,
  loadColdMs: num,
  loadWarmMs: num,
  ppShortTokensPerSecond: num,
  ppLongTokensPerSecond: num,
  /** Decode speed with llama-bench's method (the model's speed on this build). */
  tgTokensPerSecond: num,
  /** Greedy generation through node-llama-cpp (what an app gets). */
  appTgTokensPerSecond: num,
  ttftP50Ms: num,
  ttftP95Ms: num,
  itlP99Ms: num,
  peakRssBytes: num,
  ppl: num,
  pplUncertainty: num,
  pplRatio: num,
  kldMean: num,
  /** Standard uncertainty of kldMean (its 95 % interval is ± 1.96 of it). */
  kldUncertainty: num,
  kldP99: num,
  sameTopPercent: num,
  /** Where the row's benchmark and evaluation ran; null: that measurement has not been made. */
  devices: z.object({ bench: runDevice.nullable(), eval: runDevice.nullable() }),
  /** Spreads of the row's speed and memory figures, by field name ("tgTokensPerSecond"); absent: one sample. */
  spread: z.record(z.string(), measuredSpread).optional(),
  /** Why the row's benchmark may be disturbed (interference seen while it ran); empty or absent: clean. */
  noise: z.array(z.string()).optional(),
  /** Membership of the Pareto fronts the Compare screen draws (only differences beyond noise count). */
  front: z.object({ sizeVsKld: z.boolean(), speedVsKld: z.boolean(), memoryVsKld: z.boolean() }),
});
export type ExperimentRow = z.infer<typeof experimentRow>;

/**
 * Derived from the experiment's jobs (its job graph), never stored: running while a step is queued
 * or running in a live process; interrupted when a crash, a kill or a close stopped a step (or left
 * it queued with nothing to run it); then failed, cancelled, succeeded; empty with no jobs at all.
 */
export const experimentStates = [
  "empty",
  "running",
  "succeeded",
  "failed",
  "cancelled",
  "interrupted",
] as const;
export const experimentState = z.enum(experimentStates);
export type ExperimentState = z.infer<typeof experimentState>;

/** An experiment in these states can be resumed: some steps did not succeed and none runs. */
export function isResumableState(state: ExperimentState): boolean {
  return state === "interrupted" || state === "failed" || state === "cancelled";
}

export const experimentListItem = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.string(),
  createdAt: z.string(),
  baseModelId: z.string().nullable(),
  baseModelName: z.string().nullable(),
  variantCount: z.number().int(),
  jobCounts: z.record(z.string(), z.number().int()),
  state: experimentState,
  tags: z.array(z.string()),
});
export type ExperimentListItem = z.infer<typeof experimentListItem>;

/** A figure measured over repetitions: mean, sample standard deviation (null: one sample), count. */
const repeated = z.object({ mean: z.number(), stddev: z.number().nullable(), samples: z.number().int() });

/**
 * One speculative run of the sweep (the newest of a target and draft): a member decoded with another
 * member as its draft. The Compare screen's best-draft table, the summary and the reports show them.
 */
export const speculationRow = z.object({
  runId: z.string(),
  targetModelId: z.string(),
  targetLabel: z.string(),
  draftModelId: z.string(),
  draftLabel: z.string(),
  targetSizeBytes: z.number(),
  draftSizeBytes: z.number(),
  draftMax: z.number().int(),
  acceptanceRate: num,
  meanAcceptedLength: num,
  /** Speculative over target-alone speed, over repetitions (and prompts). */
  speedup: repeated,
  /** The target alone and with the draft, measured in the same run. */
  targetTokensPerSecond: repeated,
  speculativeTokensPerSecond: repeated,
  /** The memory both models took together, as the run measured it; null for runs that did not record it. */
  combinedMemoryBytes: num,
});
export type SpeculationRow = z.infer<typeof speculationRow>;

export const experimentSummary = experimentListItem.extend({
  recipe: z.unknown(),
  machine: z
    .object({
      id: z.string(),
      cpu: z.string(),
      cores: z.number(),
      ramBytes: z.number(),
      gpu: z.string().nullable(),
      os: z.string(),
    })
    .nullable(),
  llamaBuild: z.string().nullable(),
  notes: z.array(z.object({ id: z.number(), text: z.string(), createdAt: z.string() })),
  rows: z.array(experimentRow),
  /** The sweep's speculative runs (absent or empty: none). */
  speculation: z.array(speculationRow).optional(),
});
export type ExperimentSummary = z.infer<typeof experimentSummary>;
