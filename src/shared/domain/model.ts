// A model file in the library, as read from its GGUF header.
import { z } from "zod";

export const tensorInfo = z.object({
  name: z.string(),
  type: z.string(), // ggml type name, e.g. "Q4_K"
  shape: z.array(z.number()),
  bytes: z.number(),
});
export type TensorInfo = z.infer<typeof tensorInfo>;

export const modelMetadata = z.object({
  architecture: z.string(),
  name: z.string().nullable(),
  parameterCount: z.number(),
  layers: z.number(),
  heads: z.number().nullable(),
  headsKv: z.number().nullable(),
  embeddingLength: z.number().nullable(),
  feedForwardLength: z.number().nullable(),
  contextLength: z.number().nullable(),
  vocabularySize: z.number().nullable(),
  fileType: z.string().nullable(), // llama_ftype name, e.g. "MOSTLY_Q4_K_M"
  bitsPerWeight: z.number().nullable(),
  chatTemplate: z.string().nullable(),
  tensors: z.array(tensorInfo),
});
export type ModelMetadata = z.infer<typeof modelMetadata>;

/** What inspecting a GGUF file finds (core/library/importModel.ts), before it is recorded. */
export const modelFileFacts = z.object({
  path: z.string(),
  fileName: z.string(),
  sizeBytes: z.number(),
  sha256: z.string(),
  metadata: modelMetadata,
  warnings: z.array(z.string()),
});
export type ModelFileFacts = z.infer<typeof modelFileFacts>;

export const modelRecord = z.object({
  id: z.string(),
  path: z.string(),
  fileName: z.string(),
  sizeBytes: z.number(),
  sha256: z.string(),
  importedAt: z.string(), // ISO 8601
  /** Set when the model was derived from another by a recipe (quantize, prune, distill). */
  parentId: z.string().nullable(),
  recipe: z.unknown().nullable(),
  metadata: modelMetadata,
});
export type ModelRecord = z.infer<typeof modelRecord>;

/** The list view omits the per-tensor table. */
export const modelSummary = modelRecord.extend({ metadata: modelMetadata.omit({ tensors: true }) });
export type ModelSummary = z.infer<typeof modelSummary>;
