// Structured width pruning: the importance of every FFN channel and attention head measured on
// calibration text (job kind "channels"), and the narrower model written from it (job kind
// "prune.width", recorded as a variant of its parent). Shared by the job kinds, the CLI and the
// renderer.
import { z } from "zod";
import { layersJobParams, llamaBuild } from "./compression.js";
import { modelFileFacts, modelRecord } from "./model.js";

/** The same request as block importance: a model, a calibration text, the pass's settings. */
export const channelsJobParams = layersJobParams;
export type ChannelsJobParams = z.output<typeof channelsJobParams>;

export const blockChannelImportance = z.object({
  layer: z.number().int(),
  /** Per FFN channel: root mean square over tokens of the gated hidden state (ffn_down's input). */
  ffn: z.array(z.number()),
  /** Per query head: mean over tokens of the L2 norm of its attention output. */
  heads: z.array(z.number()),
});
export type BlockChannelImportance = z.infer<typeof blockChannelImportance>;

/** What the channels worker returns, and the job's result. */
export const channelsJobResult = z.object({
  modelId: z.string(),
  layers: z.array(blockChannelImportance),
  /** Query heads and KV groups per block as llama.cpp reports them (block 0). */
  headCount: z.number().int(),
  headCountKv: z.number().int(),
  chunks: z.number(),
  tokens: z.number(),
  seconds: z.number(),
  llamaBuild: z.string(),
});
export type ChannelsJobResult = z.infer<typeof channelsJobResult>;

/** How much of a width to keep: a fraction of it, or a count of channels (heads: KV groups). */
export const keepAmount = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("fraction"), value: z.number().gt(0).max(1) }),
  z.object({ kind: z.literal("count"), value: z.number().int().min(1) }),
]);
export type KeepAmount = z.infer<typeof keepAmount>;

export const widthRecipe = z.object({
  /** null: every FFN channel stays. */
  ffnKeep: keepAmount.nullable(),
  /** null: every head stays. Counted in KV groups (whole groups go under grouped-query attention). */
  headsKeep: keepAmount.nullable(),
  /** uniform: every block keeps the same share; per-layer: one budget, ranked across blocks. */
  distribution: z.enum(["uniform", "per-layer"]),
  /** Round kept FFN widths to multiples of 256 so that K-quants keep ffn_down at its type. */
  kQuantRows: z.boolean(),
  /** Which channels go: the least important (the method), or for comparison the most important or random ones. */
  removes: z.enum(["least-important", "most-important", "random"]).default("least-important"),
  seed: z.number().int().default(1),
});
export type WidthRecipe = z.output<typeof widthRecipe>;

export const pruneWidthJobParams = layersJobParams.extend({
  recipe: widthRecipe,
  /** FFN channels and KV groups of every block before pruning. */
  original: z.object({ ffnLengths: z.array(z.number().int()), headCountsKv: z.array(z.number().int()) }),
  outPath: z.string(),
});
export type PruneWidthJobParams = z.output<typeof pruneWidthJobParams>;

const widths = {
  /** "llama" when every block has the same widths, "deci" (per-block widths) otherwise. */
  architecture: z.string(),
  ffnLengths: z.array(z.number().int()),
  headCounts: z.array(z.number().int()),
  headCountsKv: z.array(z.number().int()),
  /** Tensors whose rows are not a multiple of 256: a K-quant of the model stores them in another type. */
  kQuantFallbacks: z.array(z.string()),
};

/** What the prune.width worker returns: the new file in the job's temp folder. */
export const pruneWidthWorkerValue = z.object({
  facts: modelFileFacts,
  build: llamaBuild,
  ...widths,
  importanceSeconds: z.number(),
});

export const pruneWidthJobResult = z.object({
  model: modelRecord,
  alreadyPresent: z.boolean(),
  llamaBuild: z.string(),
  ...widths,
  /** Kept share of each block's FFN channels. */
  ffnKept: z.array(z.number()),
});
export type PruneWidthJobResult = z.infer<typeof pruneWidthJobResult>;
