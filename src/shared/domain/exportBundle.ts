// The export.bundle and export.verify jobs: what they are asked and what they return. The bundle
// layout and manifest are described in docs/export.md.
import { z } from "zod";
import { bundleFile, exportManifestBody } from "./exportManifest.js";
import { splitLimit } from "./ggufSplit.js";

/** The desktop runtimes a bundle carries files for (runtimes/ollama, runtimes/llama.cpp). */
export const runtimeFileSets = ["ollama", "llama.cpp"] as const;
export type RuntimeFileSet = (typeof runtimeFileSets)[number];
export const exportRuntimeFiles = z.array(z.enum(runtimeFileSets)).default([...runtimeFileSets]);

export const exportBundleParams = z.object({
  modelId: z.string().min(1),
  modelPath: z.string().min(1),
  modelBytes: z.number().int().positive(),
  /** The bundle to create: a folder, or a file ending in .zip. Absolute; must not exist yet. */
  outPath: z.string().min(1),
  split: splitLimit.nullable().default(null),
  /** Model file names in the bundle: <baseName>.gguf, or <baseName>-00001-of-0000N.gguf. */
  baseName: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "letters, digits, '.', '_' and '-' only")
    .max(120),
  /** The first folder of LM Studio's <publisher>/<model>/ layout. */
  publisher: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/)
    .default("cwb"),
  runtimeFiles: exportRuntimeFiles,
  /** Everything the manifest says besides its files (planned in core, which owns the database). */
  manifest: exportManifestBody,
});
export type ExportBundleParams = z.output<typeof exportBundleParams>;
export type ExportBundleParamsInput = z.input<typeof exportBundleParams>;

/** What the worker wrote: a staged bundle the parent renames into place. */
export const exportBundleValue = z.object({
  stagingPath: z.string(),
  files: z.array(bundleFile),
  entry: z.string(),
  bytes: z.number().int().nonnegative(),
});

export const exportBundleResult = z.object({
  path: z.string(),
  format: z.enum(["folder", "zip"]),
  files: z.array(bundleFile),
  entry: z.string(),
  /** Everything written, manifest included. */
  bytes: z.number().int().nonnegative(),
});
export type ExportBundleResult = z.output<typeof exportBundleResult>;

export const exportVerifyParams = z.object({
  /** A bundle folder (or its manifest.json), or a .zip bundle. */
  path: z.string().min(1),
});

export const exportVerifyResult = z.object({
  path: z.string(),
  schemaVersion: z.number().int(),
  filesChecked: z.number().int(),
  bytesChecked: z.number().int(),
  model: z.object({
    entry: z.string(),
    loadMs: z.number(),
    /** The weights' size as llama.cpp loaded them. */
    loadedBytes: z.number(),
    /** Greedy next token after a fixed prompt: proves the model computes, not just maps. */
    firstToken: z.string(),
  }),
});
export type ExportVerifyResult = z.output<typeof exportVerifyResult>;
