// manifest.json's schema: the zod schema accepts a real manifest and names the field it refuses,
// and the published JSON Schema (docs/schemas/export-manifest.v1.json) is the one generated from it.
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { exportManifest, exportManifestJsonSchema } from "../../src/shared/domain/exportManifest.js";
import { describeIssues } from "../../src/shared/protocol/jobKinds.js";
import { repoRoot } from "../cli/runCwb.js";

const publishedPath = path.join(repoRoot, "docs", "schemas", "export-manifest.v1.json");
const sha = (c: string): string => c.repeat(64);

const manifest = {
  schemaVersion: 1,
  createdAt: "2026-01-01T00:00:00.000Z",
  entry: "models/cwb/m/m.gguf",
  split: null,
  files: [{ path: "models/cwb/m/m.gguf", bytes: 10, sha256: sha("a"), role: "model" }],
  model: {
    name: "m",
    architecture: "llama",
    parameterCount: 5,
    layers: 4,
    contextLength: 1024,
    fileType: "MOSTLY_F16",
    bitsPerWeight: 16,
    sha256: sha("b"),
    bytes: 10,
  },
  lineage: {
    recipeKind: null,
    recipe: null,
    parent: null,
    base: { sha256: sha("b"), name: "m" },
    imatrix: null,
    calibrationText: null,
    llamaBuild: null,
    exportedWith: { app: "0.1.0", llamaBuild: "b1", nodeLlamaCpp: "3" },
  },
  tokenizer: { model: "llama", vocabularySize: 4096 },
  chatTemplate: null,
  runtime: {
    contextLength: 1024,
    threads: 4,
    gpuLayers: 0,
    flashAttention: "auto",
    kvCacheType: "f16",
    batchSize: 512,
    basis: "defaults",
  },
  measured: [],
  device: null,
};

describe("export manifest schema", () => {
  it("accepts a complete manifest", () => {
    expect(exportManifest.safeParse(manifest).success).toBe(true);
  });

  it("names each invalid field", () => {
    const bad = {
      ...manifest,
      schemaVersion: 2,
      entry: "../m.gguf",
      files: [{ ...manifest.files[0], sha256: "xyz" }],
      runtime: { ...manifest.runtime, kvCacheType: "q3" },
    };
    const parsed = exportManifest.safeParse(bad);
    expect(parsed.success).toBe(false);
    const words = describeIssues(parsed.error!);
    for (const field of ["schemaVersion", "entry", "files.0.sha256", "runtime.kvCacheType"])
      expect(words).toContain(`${field}:`);
  });

  it("refuses an entry that is not one of its model files", () => {
    const parsed = exportManifest.safeParse({ ...manifest, entry: "README.md" });
    expect(parsed.success).toBe(false);
    expect(describeIssues(parsed.error!)).toContain("entry: must name a model file listed in files");
  });

  it("is published as the JSON Schema generated from the zod schema", () => {
    const generated = JSON.stringify(exportManifestJsonSchema(), null, 2) + "\n";
    // CWB_WRITE_SCHEMAS=1 rewrites the published file after a deliberate change of the schema.
    if (process.env.CWB_WRITE_SCHEMAS === "1") writeFileSync(publishedPath, generated);
    expect(readFileSync(publishedPath, "utf8")).toBe(generated);
  });
});
