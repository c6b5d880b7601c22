// The compression jobs (quantize, importance matrix, layer importance, layer pruning): their
// parameters as queued, what their worker returns, and what they report. Shared by the job kinds,
// the CLI and the renderer.
import { z } from "zod";
import { machineFingerprint } from "./bench.js";
import { gpuSettings } from "./gpu.js";
import { batchSizeSetting, contextSizeSetting, threadsSetting } from "./llamaSettings.js";
import { modelFileFacts, modelRecord } from "./model.js";

/**
 * Which llama.cpp produced a file (core/quantize/llamaBuildInfo.ts). `release` goes into the
 * variants.llama_build column; the whole object is kept in the recipe.
 */
export const llamaBuild = z.object({
  release: z.string(),
  repository: z.string().nullable(),
  nodeLlamaCpp: z.string().nullable(),
  /** llama.cpp's upstream commit from the library's build-info (null: not found, or recorded before). */
  commit: z.string().nullable().default(null),
  /** "cpu" or the GPU type node-llama-cpp selected in the worker. */
  backend: z.string(),
});
export type LlamaBuild = z.infer<typeof llamaBuild>;

/** A library model as a job needs it. */
export const jobModelRef = z.object({ modelId: z.string(), path: z.string(), sha256: z.string() });

/** A calibration text already stored as a text set (hashed, copied into the data dir). */
export const jobTextRef = z.object({
  textSetId: z.string(),
  path: z.string(),
  sha256: z.string(),
  name: z.string(),
});

export const tensorTypeOverride = z.object({
  /** Regular expression on tensor names, as llama-quantize's --tensor-type NAME=TYPE. */
  pattern: z.string().min(1),
  type: z.string().min(1),
});

/** Everything that decides the output of llama_model_quantize: recorded as the variant's recipe. */
export const quantizeRecipe = z.object({
  type: z.string(),
  ftype: z.number().int(),
  imatrix: z
    .object({ artifactId: z.string().nullable(), path: z.string(), sha256: z.string() })
    .nullable()
    .default(null),
  tensorTypes: z.array(tensorTypeOverride).default([]),
  outputTensorType: z.string().nullable().default(null),
  tokenEmbeddingType: z.string().nullable().default(null),
  pure: z.boolean().default(false),
  leaveOutputTensor: z.boolean().default(false),
  allowRequantize: z.boolean().default(false),
  /** Set when the overrides came from a recipe search (cwb search): what it was asked and predicted. */
  searched: z
    .object({ budgetBytes: z.number(), predictedKld: z.number(), sensitivityCache: z.string() })
    .optional(),
});
export type QuantizeRecipe = z.output<typeof quantizeRecipe>;

export const quantizeJobParams = z.object({
  model: jobModelRef,
  recipe: quantizeRecipe,
  /** The calibration text set of the imatrix, recorded with the variant. */
  textSetId: z.string().nullable().default(null),
  threads: threadsSetting,
  dryRun: z.boolean().default(false),
  /** Final path of the new model (ignored for a dry run). */
  outPath: z.string().nullable().default(null),
});
export type QuantizeJobParams = z.output<typeof quantizeJobParams>;

export const quantizedTensor = z.object({
  name: z.string(),
  shape: z.array(z.number()),
  fromType: z.string(),
  toType: z.string(),
  bytes: z.number(),
});

export const quantizeReport = z.object({
  seconds: z.number(),
  originalMiB: z.number(),
  originalBpw: z.number(),
  quantizedMiB: z.number(),
  quantizedBpw: z.number(),
  tensorBytes: z.number(),
  fallbacks: z.number(),
  tensors: z.array(quantizedTensor),
});
export type QuantizeReport = z.infer<typeof quantizeReport>;

/** What the quantize worker returns: the new file in the job's temp folder (null for a dry run). */
export const quantizeWorkerValue = z.object({
  report: quantizeReport,
  build: llamaBuild,
  facts: modelFileFacts.nullable(),
});

export const quantizeJobResult = z.object({
  dryRun: z.boolean(),
  /** The new variant (null for a dry run). */
  model: modelRecord.nullable(),
  alreadyPresent: z.boolean(),
  llamaBuild: z.string(),
  report: quantizeReport,
});
export type QuantizeJobResult = z.infer<typeof quantizeJobResult>;

export const imatrixSettings = z.object({
  contextSize: contextSizeSetting(512),
  chunks: z.number().int().min(1).nullable().default(null),
  batchSize: batchSizeSetting(2048),
  threads: threadsSetting,
  ...gpuSettings.shape,
});
export type ImatrixSettingsInput = z.input<typeof imatrixSettings>;

export const imatrixJobParams = z.object({
  model: jobModelRef,
  text: jobTextRef,
  settings: imatrixSettings,
  outPath: z.string(),
});
export type ImatrixJobParams = z.output<typeof imatrixJobParams>;

/** What the imatrix worker returns: the matrix file in the job's temp folder and how it was made. */
export const imatrixWorkerValue = z.object({
  tempPath: z.string(),
  sha256: z.string(),
  bytes: z.number(),
  entries: z.number(),
  chunks: z.number(),
  chunkCount: z.number(),
  chunkSize: z.number(),
  tokens: z.number(),
  seconds: z.number(),
});

export const imatrixJobResult = z.object({
  artifactId: z.string(),
  path: z.string(),
  sha256: z.string(),
  bytes: z.number(),
  entries: z.number(),
  chunks: z.number(),
  tokens: z.number(),
  seconds: z.number(),
  textSetId: z.string(),
});
export type ImatrixJobResult = z.infer<typeof imatrixJobResult>;

export const layerImportanceSettings = z.object({
  contextSize: contextSizeSetting(512),
  chunks: z.number().int().min(1).default(16),
  threads: threadsSetting,
  ...gpuSettings.shape,
});

export type LayerImportanceSettingsInput = z.input<typeof layerImportanceSettings>;

export const layersJobParams = z.object({
  model: jobModelRef,
  text: jobTextRef,
  settings: layerImportanceSettings,
});
export type LayersJobParams = z.output<typeof layersJobParams>;

export const layerImportance = z.object({
  layer: z.number().int(),
  /** Mean over tokens of 1 - cos(block input, block output). */
  importance: z.number(),
  /** Mean over tokens of |output - input| / |input|. */
  relativeChange: z.number(),
});
export type LayerImportance = z.infer<typeof layerImportance>;

/** What the layers worker returns: each block's importance with the tokens it was measured on. */
export const layersWorkerValue = z.object({
  layers: z.array(layerImportance.extend({ tokens: z.number() })),
  chunks: z.number(),
  tokens: z.number(),
  seconds: z.number(),
  machine: machineFingerprint,
  llamaBuild: z.string(),
});

export const layersJobResult = z.object({
  runId: z.string(),
  modelId: z.string(),
  tokens: z.number(),
  seconds: z.number(),
  layers: z.array(layerImportance),
  /** Block indices, least important first. */
  ranking: z.array(z.number().int()),
});
export type LayersJobResult = z.infer<typeof layersJobResult>;

export const pruneRecipe = z.object({
  dropped: z.array(z.number().int().nonnegative()).min(1),
  /** How the blocks were chosen. */
  selection: z.enum(["explicit", "least-important"]),
  /** The layer-importance run the choice came from. */
  layersRunId: z.string().nullable().default(null),
  originalBlockCount: z.number().int(),
});
export type PruneRecipe = z.output<typeof pruneRecipe>;

export const pruneJobParams = z.object({
  model: jobModelRef,
  recipe: pruneRecipe,
  textSetId: z.string().nullable().default(null),
  threads: threadsSetting,
  outPath: z.string(),
});
export type PruneJobParams = z.output<typeof pruneJobParams>;

/** What the prune worker returns: the new file in the job's temp folder. */
export const pruneWorkerValue = z.object({
  facts: modelFileFacts,
  /** Per-layer metadata arrays shortened after llama.cpp's pruning. */
  fixedMetadata: z.array(z.string()),
  build: llamaBuild,
  /** Tensors copied. */
  tensors: z.number(),
});

export const pruneJobResult = z.object({
  model: modelRecord,
  alreadyPresent: z.boolean(),
  llamaBuild: z.string(),
  dropped: z.array(z.number().int()),
  blockCount: z.number().int(),
  /** Per-layer metadata arrays that had to be shortened after llama.cpp's pruning. */
  fixedMetadata: z.array(z.string()),
});
export type PruneJobResult = z.infer<typeof pruneJobResult>;
