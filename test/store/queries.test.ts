// The per-domain query modules against a real database file.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ModelMetadata } from "../../src/shared/domain/model.js";
import { Store, type Db } from "../../src/core/store/Store.js";
import { testModelMetadata } from "../helpers/modelMetadata.js";
import {
  deleteModel,
  findModels,
  getModelById,
  getModelBySha256,
  insertModel,
  listModelRecords,
} from "../../src/core/store/models.js";
import {
  getVariant,
  insertVariant,
  listAncestors,
  listChildVariants,
} from "../../src/core/store/variants.js";
import {
  deleteTextSet,
  getTextSetBySha256,
  insertTextSet,
  listTextSets,
} from "../../src/core/store/textSets.js";
import { getArtifact, insertArtifact, listArtifacts } from "../../src/core/store/artifacts.js";
import {
  getExperiment,
  insertExperiment,
  listExperiments,
  renameExperiment,
} from "../../src/core/store/experiments.js";
import {
  addNote,
  addTag,
  deleteTagsAndNotes,
  findByTag,
  listNotes,
  listTags,
  removeTag,
} from "../../src/core/store/tagsNotes.js";

let dir: string;
let store: Store;
let db: Db;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "cwb-queries-"));
  store = Store.open(path.join(dir, "workbench.sqlite"));
  db = store.db;
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const metadata: ModelMetadata = {
  ...testModelMetadata("m"),
  parameterCount: 1000,
  tensors: [{ name: "token_embd.weight", type: "F16", shape: [64, 300], bytes: 38400 }],
};

function addModel(
  id: string,
  sha: string,
  file = `${id}.gguf`,
  importedAt = "2026-11-23T09:00:00.000Z",
): void {
  insertModel(db, {
    id,
    path: `/models/${file}`,
    fileName: file,
    sizeBytes: 100,
    sha256: sha.repeat(64),
    metadata,
    importedAt,
  });
}

describe("models and variants", () => {
  it("stores and reads back a model with its metadata and lineage", () => {
    addModel("aaaa11112222", "a");
    addModel("bbbb11112222", "b", "base-q4.gguf", "2026-11-23T10:00:00.000Z");
    insertVariant(db, {
      modelId: "bbbb11112222",
      parentId: "aaaa11112222",
      recipeKind: "quantize",
      recipe: { type: "Q4_K_M" },
      llamaBuild: "v0.5.0",
    });

    const base = getModelById(db, "aaaa11112222")!;
    expect(base.metadata).toEqual(metadata);
    expect(base.parentId).toBeNull();
    const q4 = getModelBySha256(db, "b".repeat(64))!;
    expect(q4.parentId).toBe("aaaa11112222");
    expect(q4.recipe).toEqual({ type: "Q4_K_M" });
    expect(listModelRecords(db).map((m) => m.id)).toEqual(["bbbb11112222", "aaaa11112222"]);
    expect(getVariant(db, "bbbb11112222")).toMatchObject({
      recipeKind: "quantize",
      llamaBuild: "v0.5.0",
      jobId: null,
    });
    expect(listChildVariants(db, "aaaa11112222").map((v) => v.modelId)).toEqual(["bbbb11112222"]);
  });

  it("finds models by id, path, file name and id prefix (with LIKE wildcards taken literally)", () => {
    addModel("aaaa11112222", "a");
    addModel("aaab33334444", "c");
    expect(findModels(db, "aaaa11112222", "/x").map((m) => m.id)).toEqual(["aaaa11112222"]);
    expect(findModels(db, "whatever", "/models/aaab33334444.gguf").map((m) => m.id)).toEqual([
      "aaab33334444",
    ]);
    expect(findModels(db, "aaab33334444.gguf", "/x").map((m) => m.id)).toEqual(["aaab33334444"]);
    expect(findModels(db, "aaa", "/x")).toHaveLength(2);
    expect(findModels(db, "aaaa", "/x").map((m) => m.id)).toEqual(["aaaa11112222"]);
    expect(findModels(db, "a%", "/x")).toEqual([]);
    expect(findModels(db, "_aaa", "/x")).toEqual([]);
  });

  it("follows lineage through several generations", () => {
    addModel("base00000000", "a");
    addModel("pruned000000", "b");
    addModel("prunedq40000", "c");
    insertVariant(db, {
      modelId: "pruned000000",
      parentId: "base00000000",
      recipeKind: "prune",
      recipe: { drop: [3] },
      llamaBuild: "v0.5.0",
    });
    insertVariant(db, {
      modelId: "prunedq40000",
      parentId: "pruned000000",
      recipeKind: "quantize",
      recipe: { type: "Q4_K_M" },
      llamaBuild: "v0.5.0",
    });
    expect(listAncestors(db, "prunedq40000")).toEqual(["pruned000000", "base00000000"]);
    expect(listAncestors(db, "base00000000")).toEqual([]);

    // Removing the middle model keeps the child but cuts its link.
    expect(deleteModel(db, "pruned000000")).toBe(true);
    expect(getModelById(db, "prunedq40000")!.parentId).toBeNull();
    expect(listAncestors(db, "prunedq40000")).toEqual([]);
  });

  it("refuses a variant whose parent is not in the library", () => {
    addModel("child0000000", "a");
    expect(() =>
      insertVariant(db, {
        modelId: "child0000000",
        parentId: "missing",
        recipeKind: "quantize",
        recipe: {},
        llamaBuild: "x",
      }),
    ).toThrow(/FOREIGN KEY/);
  });
});

describe("text sets, artifacts, experiments", () => {
  it("round-trips each and keeps references consistent", () => {
    addModel("aaaa11112222", "a");
    const ts = insertTextSet(db, {
      name: "wiki",
      purpose: "calibration",
      sha256: "d".repeat(64),
      path: "/t/wiki.txt",
      bytes: 1234,
    });
    expect(getTextSetBySha256(db, "d".repeat(64))).toEqual(ts);
    expect(listTextSets(db)).toEqual([ts]);

    const artifact = insertArtifact(db, {
      kind: "imatrix",
      path: "/a/imatrix.gguf",
      bytes: 99,
      modelId: "aaaa11112222",
      textSetId: ts.id,
      settings: { chunks: 10 },
    });
    expect(getArtifact(db, artifact.id)).toEqual(artifact);
    expect(listArtifacts(db, { modelId: "aaaa11112222", kind: "imatrix" })).toEqual([artifact]);
    expect(listArtifacts(db, { kind: "report" })).toEqual([]);

    // Deleting the text set keeps the artifact and forgets the link.
    expect(deleteTextSet(db, ts.id)).toBe(true);
    expect(getArtifact(db, artifact.id)!.textSetId).toBeNull();

    const experiment = insertExperiment(db, {
      name: "q sweep",
      kind: "quantize",
      recipe: { types: ["Q4_K_M", "Q8_0"] },
      baseModelId: "aaaa11112222",
    });
    expect(getExperiment(db, experiment.id)).toEqual(experiment);
    expect(renameExperiment(db, experiment.id, "renamed")).toBe(true);
    expect(listExperiments(db).map((e) => e.name)).toEqual(["renamed"]);
  });
});

describe("tags and notes", () => {
  it("adds, lists, finds and removes", () => {
    addTag(db, "model", "m1", "keeper");
    addTag(db, "model", "m1", "keeper");
    addTag(db, "model", "m1", "fast");
    addTag(db, "model", "m2", "keeper");
    expect(listTags(db, "model", "m1")).toEqual(["fast", "keeper"]);
    expect(findByTag(db, "model", "keeper")).toEqual(["m1", "m2"]);
    expect(removeTag(db, "model", "m1", "fast")).toBe(true);
    const note = addNote(db, "model", "m1", "quality drops after layer 12");
    expect(listNotes(db, "model", "m1")).toEqual([note]);
    deleteTagsAndNotes(db, "model", "m1");
    expect(listTags(db, "model", "m1")).toEqual([]);
    expect(listNotes(db, "model", "m1")).toEqual([]);
    expect(findByTag(db, "model", "keeper")).toEqual(["m2"]);
  });
});
