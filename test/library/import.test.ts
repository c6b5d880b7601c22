// Importing real GGUF files (written by test/helpers/gguf.ts) into a real library database, and
// refusing broken ones without changing the library.
import { copyFileSync, existsSync, mkdtempSync, rmSync, renameSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Store, type Db } from "../../src/core/store/Store.js";
import {
  importModel,
  inspectModelFile,
  recordModel,
  type ImportProgress,
} from "../../src/core/library/importModel.js";
import { getModel, listModels, removeModel } from "../../src/core/library/modelLibrary.js";
import { LibraryError, type LibraryErrorCode } from "../../src/core/library/LibraryError.js";
import { listAncestors } from "../../src/core/store/variants.js";
import {
  writeNotGguf,
  writeTinyGguf,
  writeTruncatedCopy,
  writeWrongMagicCopy,
  type TinyGgufInfo,
} from "../helpers/gguf.js";

let dir: string;
let store: Store;
let db: Db;
let tiny: TinyGgufInfo;

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "cwb-library-"));
  store = Store.open(path.join(dir, "data", "workbench.sqlite"));
  db = store.db;
  tiny = writeTinyGguf(path.join(dir, "tiny.gguf"));
});
afterAll(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

function snapshot(): string {
  return (
    JSON.stringify(db.prepare("SELECT * FROM models ORDER BY id").all()) +
    JSON.stringify(db.prepare("SELECT * FROM variants ORDER BY model_id").all())
  );
}

async function expectRefused(file: string, code: LibraryErrorCode, problem: RegExp): Promise<void> {
  const before = snapshot();
  let error: unknown;
  try {
    await importModel(db, file);
  } catch (e) {
    error = e;
  }
  expect(error, `import of ${file} should fail`).toBeInstanceOf(LibraryError);
  expect((error as LibraryError).code).toBe(code);
  expect((error as Error).message).toContain(file);
  expect((error as Error).message).toMatch(problem);
  expect(snapshot()).toBe(before);
}

describe("importing a valid GGUF file", () => {
  it("records its metadata, per-tensor table and hash, reporting hashing progress", async () => {
    const progress: ImportProgress[] = [];
    const result = await importModel(db, tiny.path, { onProgress: (p) => progress.push(p) });
    expect(result.alreadyPresent).toBe(false);
    const model = result.model;
    expect(model.path).toBe(tiny.path);
    expect(model.fileName).toBe("tiny.gguf");
    expect(model.sizeBytes).toBe(tiny.sizeBytes);
    expect(model.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(model.id).toBe(model.sha256.slice(0, 12));
    expect(model.parentId).toBeNull();
    const m = model.metadata;
    expect(m).toMatchObject({
      architecture: "llama",
      name: "cwb tiny llama",
      parameterCount: tiny.parameterCount,
      layers: tiny.layers,
      heads: tiny.heads,
      headsKv: tiny.headsKv,
      embeddingLength: tiny.embeddingLength,
      feedForwardLength: tiny.feedForwardLength,
      contextLength: tiny.contextLength,
      vocabularySize: tiny.vocabularySize,
      fileType: "MOSTLY_F16",
      chatTemplate: tiny.chatTemplate,
    });
    expect(m.tensors).toHaveLength(tiny.tensorCount);
    expect(m.tensors[0]).toEqual({
      name: "token_embd.weight",
      type: "F16",
      shape: [64, tiny.vocabularySize],
      bytes: 64 * tiny.vocabularySize * 2,
    });
    expect(m.tensors.find((t) => t.name === "blk.1.ffn_norm.weight")).toEqual({
      name: "blk.1.ffn_norm.weight",
      type: "F32",
      shape: [64],
      bytes: 256,
    });
    // Mostly F16 with F32 norms: a little over 16 bits per weight.
    expect(m.bitsPerWeight).toBeGreaterThan(16);
    expect(m.bitsPerWeight).toBeLessThan(16.2);
    const tensorBytes = m.tensors.reduce((sum, t) => sum + t.bytes, 0);
    expect(tensorBytes).toBeLessThanOrEqual(tiny.sizeBytes - tiny.dataOffset);

    const hashing = progress.filter((p) => p.phase === "hashing");
    expect(hashing.at(-1)).toEqual({
      phase: "hashing",
      bytesDone: tiny.sizeBytes,
      bytesTotal: tiny.sizeBytes,
    });
    for (let i = 1; i < hashing.length; i++)
      expect(hashing[i]!.bytesDone).toBeGreaterThanOrEqual(hashing[i - 1]!.bytesDone);

    expect(listModels(db).map((s) => s.id)).toEqual([model.id]);
    expect("tensors" in listModels(db)[0]!.metadata).toBe(false);
    expect(getModel(db, model.id)).toEqual(model);
  });

  it("reads an all-F32 file as ALL_F32 at 32 bits per weight", async () => {
    const facts = await inspectModelFile(
      writeTinyGguf(path.join(dir, "tiny-f32.gguf"), { weights: "F32" }).path,
    );
    expect(facts.metadata.fileType).toBe("ALL_F32");
    expect(facts.metadata.bitsPerWeight).toBe(32);
    expect(facts.metadata.tensors.every((t) => t.type === "F32")).toBe(true);
  });

  it("warns about an architecture the bundled llama.cpp cannot load, checked without llama.cpp", async () => {
    const known = await inspectModelFile(tiny.path);
    expect(known.warnings.filter((w) => w.includes("architecture"))).toEqual([]);
    const unknown = await inspectModelFile(
      writeTinyGguf(path.join(dir, "tiny-unknown-arch.gguf"), { architecture: "cwbnotanarch" }).path,
    );
    expect(unknown.warnings).toContain(
      'architecture "cwbnotanarch" is not supported by the bundled llama.cpp',
    );
  });

  it("recognises the same content again, under its own path or another, without a duplicate", async () => {
    const first = getModel(db, "tiny.gguf");
    const again = await importModel(db, tiny.path);
    expect(again).toMatchObject({ alreadyPresent: true, model: { id: first.id, path: tiny.path } });

    const copy = path.join(dir, "copy-of-tiny.gguf");
    copyFileSync(tiny.path, copy);
    const viaCopy = await importModel(db, copy);
    expect(viaCopy.alreadyPresent).toBe(true);
    expect(viaCopy.model.path).toBe(tiny.path); // the original is still there, so it stays the reference
    expect(listModels(db)).toHaveLength(1);

    // When the recorded file has moved away, importing it from its new place updates the path.
    const moved = path.join(dir, "moved.gguf");
    renameSync(tiny.path, moved);
    const viaMove = await importModel(db, moved);
    expect(viaMove).toMatchObject({
      alreadyPresent: true,
      model: { id: first.id, path: moved, fileName: "moved.gguf" },
    });
    renameSync(moved, tiny.path);
    await importModel(db, tiny.path);
    expect(getModel(db, first.id).path).toBe(tiny.path);
    expect(listModels(db)).toHaveLength(1);
  });
});

describe("refusing broken files (library unchanged, process keeps working)", () => {
  it("a missing file", async () => {
    await expectRefused(path.join(dir, "nope.gguf"), "NOT_FOUND", /no such file/);
  });

  it("a file that is not GGUF at all", async () => {
    const file = path.join(dir, "notes.gguf");
    writeNotGguf(file);
    await expectRefused(file, "NOT_GGUF", /not a GGUF model file/);
  });

  it("a GGUF with a wrong magic", async () => {
    const file = path.join(dir, "magic.gguf");
    writeWrongMagicCopy(tiny.path, file);
    await expectRefused(file, "NOT_GGUF", /expected "GGUF"/);
  });

  it("an empty file", async () => {
    const file = path.join(dir, "empty.gguf");
    writeTruncatedCopy(tiny.path, file, 0);
    await expectRefused(file, "NOT_GGUF", /0 bytes/);
  });

  it("a file cut inside the tensor data", async () => {
    const file = path.join(dir, "cut-data.gguf");
    writeTruncatedCopy(tiny.path, file);
    await expectRefused(file, "TRUNCATED", /truncated: it has \d+ bytes but its 21 tensors need \d+ bytes/);
  });

  it("a file cut inside the header (which node-llama-cpp alone would accept)", async () => {
    for (const keep of [6, 100, 2000, tiny.dataOffset - 1]) {
      const file = path.join(dir, `cut-header-${keep}.gguf`);
      writeTruncatedCopy(tiny.path, file, keep);
      await expectRefused(file, "TRUNCATED", /truncated/);
    }
  });

  it("a file cut by just the last byte", async () => {
    const file = path.join(dir, "cut-one.gguf");
    const unpadded = writeTinyGguf(path.join(dir, "for-cut.gguf"), { seed: 7 });
    // The last tensor ends exactly at the end (its size is a multiple of the alignment).
    writeTruncatedCopy(unpadded.path, file, unpadded.sizeBytes - 1);
    await expectRefused(file, "TRUNCATED", /truncated/);
  });

  it("zero layers", async () => {
    const file = writeTinyGguf(path.join(dir, "zero-layers.gguf"), { layers: 0 }).path;
    await expectRefused(file, "BAD_METADATA", /block_count is 0/);
  });

  it("tensor data placed beyond the end of the file", async () => {
    const file = writeTinyGguf(path.join(dir, "beyond.gguf"), { lastTensorOffsetShift: 1 << 20 }).path;
    await expectRefused(file, "BAD_METADATA", /tensor "output.weight" data .* beyond the end of the file/);
  });

  it("an unknown architecture with no tensors", async () => {
    const file = writeTinyGguf(path.join(dir, "no-tensors.gguf"), {
      noTensors: true,
      architecture: "mystery",
    }).path;
    await expectRefused(file, "BAD_METADATA", /no tensors/);
  });

  it("a tensor of a type ggml no longer has", async () => {
    const file = writeTinyGguf(path.join(dir, "q4_2.gguf"), { firstTensorType: 4 }).path;
    await expectRefused(file, "BAD_METADATA", /tensor "token_embd.weight": unknown or removed ggml type/);
  });

  it("a directory", async () => {
    await expectRefused(dir, "NOT_FOUND", /not a regular file/);
  });

  it("still imports a good file after all those refusals", async () => {
    const other = writeTinyGguf(path.join(dir, "other.gguf"), { seed: 2 });
    const result = await importModel(db, other.path);
    expect(result.alreadyPresent).toBe(false);
    expect(listModels(db)).toHaveLength(2);
  });
});

describe("cancelling", () => {
  it("stops hashing when aborted and leaves the library unchanged", async () => {
    // ~6 MB, so hashing takes more than one 4 MiB chunk.
    const big = writeTinyGguf(path.join(dir, "big.gguf"), { layers: 40, weights: "F32", seed: 3 });
    expect(big.sizeBytes).toBeGreaterThan(5 << 20);
    const before = snapshot();
    const abort = new AbortController();
    const seen: number[] = [];
    const attempt = importModel(db, big.path, {
      signal: abort.signal,
      onProgress: (p) => {
        if (p.phase !== "hashing") return;
        seen.push(p.bytesDone);
        if (p.bytesDone > 0) abort.abort();
      },
    });
    await expect(attempt).rejects.toMatchObject({ name: "AbortError" });
    expect(Math.max(...seen)).toBeLessThan(big.sizeBytes);
    expect(snapshot()).toBe(before);
  });
});

describe("lineage, lookup and removal", () => {
  it("records a variant with its parent and recipe in one step", async () => {
    const parent = getModel(db, "tiny.gguf");
    const child = writeTinyGguf(path.join(dir, "tiny-child.gguf"), { seed: 4, layers: 1 });
    const facts = await inspectModelFile(child.path);
    const result = recordModel(db, facts, {
      lineage: {
        parentId: parent.id,
        recipeKind: "prune",
        recipe: { dropLayers: [1] },
        llamaBuild: "v0.5.0",
      },
    });
    expect(result.model.parentId).toBe(parent.id);
    expect(result.model.recipe).toEqual({ dropLayers: [1] });
    expect(listAncestors(db, result.model.id)).toEqual([parent.id]);
  });

  it("resolves ids, prefixes, file names and paths, and explains misses", () => {
    const model = getModel(db, "tiny.gguf");
    expect(getModel(db, model.id.slice(0, 6)).id).toBe(model.id);
    expect(getModel(db, tiny.path).id).toBe(model.id);
    expect(getModel(db, path.relative(process.cwd(), tiny.path)).id).toBe(model.id);
    expect(() => getModel(db, "zzzz")).toThrow(/No model "zzzz"/);
    expect(() => getModel(db, "")).toThrow(LibraryError);
  });

  it("removes the record but keeps the file unless asked, and deletes it when asked", async () => {
    const model = getModel(db, "tiny.gguf");
    const kept = await removeModel(db, model.id);
    expect(kept).toMatchObject({ removed: true, fileDeleted: false });
    expect(existsSync(tiny.path)).toBe(true);
    expect(() => getModel(db, model.id)).toThrow(/No model/);
    // The variant of it stays, without its parent link.
    expect(getModel(db, "tiny-child.gguf").parentId).toBeNull();

    const other = getModel(db, "other.gguf");
    const deleted = await removeModel(db, other.id, { deleteFile: true });
    expect(deleted).toMatchObject({ removed: true, fileDeleted: true });
    expect(existsSync(other.path)).toBe(false);
  });
});
