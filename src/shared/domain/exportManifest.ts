// manifest.json of an export bundle: what the model is, where it came from, which files make it up
// (with their sha256), how to run it and what was measured. Versioned: a reader checks
// schemaVersion first. Its JSON Schema (docs/schemas/export-manifest.v1.json) is generated from
// this zod schema (test/export/manifestSchema.test.ts keeps the two in step).
import { z } from "zod";
import { exportDevice } from "./exportDevice.js";
import { splitLimit } from "./ggufSplit.js";
import { metric } from "./run.js";

export const exportManifestSchemaVersion = 1;

const sha256 = z.string().regex(/^[0-9a-f]{64}$/, "a sha256 in lowercase hex");
/** A path inside the bundle: forward slashes, no "..", not absolute. */
const bundlePath = z
  .string()
  .min(1)
  .refine((p) => !p.startsWith("/") && !p.includes("\\") && !p.split("/").includes(".."), {
    message: "a relative path inside the bundle (forward slashes, no '..')",
  });

export const bundleFileRoles = ["model", "readme", "bench-script", "runtime"] as const;

export const bundleFile = z.object({
  path: bundlePath,
  bytes: z.number().int().nonnegative(),
  sha256,
  role: z.enum(bundleFileRoles),
});
export type BundleFile = z.infer<typeof bundleFile>;

export const kvCacheTypes = ["f32", "f16", "bf16", "q8_0", "q4_0", "q4_1", "iq4_nl", "q5_0", "q5_1"] as const;

/** How to run the model: the same numbers go into the README, the scripts and the runtime files. */
export const runtimeSettings = z.object({
  contextLength: z.number().int().positive(),
  threads: z.number().int().positive(),
  /** Layers offloaded to the GPU; 0 runs on the CPU. */
  gpuLayers: z.number().int().nonnegative(),
  flashAttention: z.enum(["auto", "on", "off"]),
  kvCacheType: z.enum(kvCacheTypes),
  batchSize: z.number().int().positive(),
  /** Where each number came from, in words ("bench run r_... on this machine", "default"). */
  basis: z.string(),
});
export type RuntimeSettings = z.infer<typeof runtimeSettings>;

/** One run recorded for the model here, with its metrics and their spreads. */
export const measuredRun = z.object({
  runId: z.string(),
  kind: z.enum(["bench", "eval", "layers"]),
  createdAt: z.string(),
  machineId: z.string(),
  llamaBuild: z.string(),
  settings: z.unknown(),
  metrics: z.array(metric),
});
export type MeasuredRun = z.infer<typeof measuredRun>;

const hashedInput = z.object({ sha256, name: z.string().nullable() });

export const exportManifestBody = z.object({
  model: z.object({
    name: z.string(),
    architecture: z.string(),
    parameterCount: z.number().int().nonnegative(),
    layers: z.number().int().positive(),
    contextLength: z.number().int().positive().nullable(),
    /** llama_ftype name, e.g. MOSTLY_Q4_K_M. */
    fileType: z.string().nullable(),
    bitsPerWeight: z.number().nullable(),
    /** Of the model as one unsplit GGUF file. */
    sha256,
    bytes: z.number().int().positive(),
  }),
  lineage: z.object({
    /** How the model was made from its parent; null for a model imported as it is. */
    recipeKind: z.string().nullable(),
    recipe: z.unknown(),
    parent: hashedInput.nullable(),
    /** The model at the root of the derivation chain. */
    base: hashedInput,
    imatrix: hashedInput.nullable(),
    calibrationText: hashedInput.nullable(),
    /** llama.cpp release that produced the file, and the one this app runs. */
    llamaBuild: z.string().nullable(),
    exportedWith: z.object({ app: z.string(), llamaBuild: z.string(), nodeLlamaCpp: z.string() }),
  }),
  tokenizer: z.object({
    /** tokenizer.ggml.model: "llama" (SentencePiece), "gpt2" (byte-level BPE), ... */
    model: z.string().nullable(),
    vocabularySize: z.number().int().positive().nullable(),
  }),
  /** tokenizer.chat_template from the GGUF (Jinja), or null when the model has none. */
  chatTemplate: z.string().nullable(),
  runtime: runtimeSettings,
  measured: z.array(measuredRun),
  device: exportDevice.nullable(),
});
export type ExportManifestBody = z.output<typeof exportManifestBody>;

export const exportManifest = z
  .object({
    schemaVersion: z.literal(exportManifestSchemaVersion),
    createdAt: z.string(),
    /** The file llama.cpp is given: the model, or its first shard. */
    entry: bundlePath,
    split: z.object({ count: z.number().int().positive(), limit: splitLimit }).nullable(),
    files: z.array(bundleFile).min(1),
  })
  .extend(exportManifestBody.shape)
  .superRefine((manifest, ctx) => {
    if (!manifest.files.some((f) => f.path === manifest.entry && f.role === "model"))
      ctx.addIssue({ code: "custom", path: ["entry"], message: "must name a model file listed in files" });
  });
export type ExportManifest = z.output<typeof exportManifest>;

/** The manifest's JSON Schema, as published in docs/schemas/export-manifest.v1.json. */
export function exportManifestJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(exportManifest, { io: "output", unrepresentable: "any" }),
    $id: "https://compression-workbench.local/schemas/export-manifest.v1.json",
    title: "Compression Workbench export manifest, schema version 1",
  };
}
