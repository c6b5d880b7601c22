// `cwb layers` and `cwb prune` as a user runs them (real CLI, job queue, worker processes): the
// importance ranking is stored as a 'layers' run, pruning drops exactly the chosen blocks with every
// other tensor copied unchanged, per-layer metadata arrays are shortened, and the pruned model loads
// in node-llama-cpp and generates text.
import { statSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { readGgufFileInfo } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LayersJobResult, PruneJobResult } from "../../src/shared/domain/compression.js";
import { tensorBytes } from "../helpers/ggufTensors.js";
import { readModelMetadata } from "../../src/core/library/readModelMetadata.js";
import { buildNode, runCwb } from "../cli/runCwb.js";
import { bundledLlamaCppRelease } from "../../src/core/machine/machineFingerprint.js";
import { writeTinyGguf } from "../helpers/gguf.js";
import { generateText as generate } from "../helpers/generateText.js";
import { makeRandomModel, makeTempDir, removeDir, writeCalibrationText } from "../quantize/fixtures.js";

let dir: string;
let dataDir: string;
let model: string;
let text: string;

beforeAll(async () => {
  buildNode();
  dir = makeTempDir("prune");
  dataDir = path.join(dir, "data");
  model = await makeRandomModel(path.join(dir, "base-f32.gguf"), { seed: 5 });
  text = writeCalibrationText(path.join(dir, "calibration.txt"), 2);
});
afterAll(() => removeDir(dir));

const cwb = (...args: string[]) => runCwb(["--data-dir", dataDir, ...args]);

describe("cwb layers and cwb prune", () => {
  let ranking: LayersJobResult;

  it("ranks the blocks by 1 - cos(input, output) and stores the run", async () => {
    const run = await cwb(
      "--json",
      "layers",
      model,
      "--text",
      text,
      "--ctx",
      "128",
      "--chunks",
      "4",
      "--threads",
      "2",
    );
    expect(run.code, run.stderr).toBe(0);
    ranking = JSON.parse(run.stdout) as LayersJobResult;
    expect(ranking.layers).toHaveLength(4);
    expect(ranking.tokens).toBe(4 * 128);
    for (const l of ranking.layers) {
      expect(l.importance).toBeGreaterThan(0);
      expect(l.importance).toBeLessThan(2);
    }
    expect([...ranking.ranking].sort()).toEqual([0, 1, 2, 3]);
    const order = ranking.ranking.map((i) => ranking.layers[i]!.importance);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    const db = new Database(path.join(dataDir, "workbench.sqlite"), { readonly: true });
    try {
      const runRow = db.prepare("SELECT * FROM runs WHERE id = ?").get(ranking.runId) as {
        kind: string;
        text_set_id: string | null;
      };
      expect(runRow.kind).toBe("layers");
      expect(runRow.text_set_id).not.toBeNull();
      const metrics = db
        .prepare(
          "SELECT name, value FROM metrics WHERE run_id = ? AND name LIKE '%.importance' ORDER BY name",
        )
        .all(ranking.runId) as { name: string; value: number }[];
      expect(metrics.map((m) => m.name)).toEqual([0, 1, 2, 3].map((i) => `layer.${i}.importance`));
      expect(metrics.map((m) => m.value)).toEqual(ranking.layers.map((l) => l.importance));
    } finally {
      db.close();
    }
  });

  it("--drop 1 removes the least important block, copies every other tensor unchanged, and the result generates text", async () => {
    const out = path.join(dir, "pruned.gguf");
    const run = await cwb(
      "--json",
      "prune",
      model,
      "--drop",
      "1",
      "--text",
      text,
      "--ctx",
      "128",
      "--chunks",
      "4",
      "--threads",
      "2",
      "--out",
      out,
    );
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as PruneJobResult;
    const expected = ranking.ranking[0]!; // the same text and settings measure the same ranking
    expect(result.dropped).toEqual([expected]);
    expect(result.blockCount).toBe(3);

    const { metadata } = await readModelMetadata(out);
    expect(metadata.layers).toBe(3);
    const before = await tensorBytes(model);
    const after = await tensorBytes(out);
    expect(after.size).toBe(before.size - 9);
    // Blocks after the dropped one move down by one; their data is untouched.
    for (const [name, data] of before) {
      const m = /^blk\.(\d+)\.(.*)$/.exec(name);
      if (!m) {
        expect(after.get(name)?.equals(data), name).toBe(true);
        continue;
      }
      const block = Number(m[1]);
      if (block === expected) continue;
      const renamed = `blk.${block > expected ? block - 1 : block}.${m[2]}`;
      expect(after.get(renamed)?.equals(data), `${name} -> ${renamed}`).toBe(true);
    }
    expect(statSync(out).size).toBeLessThan(statSync(model).size);

    const textOut = await generate(out);
    expect(textOut.length).toBeGreaterThan(0);

    const db = new Database(path.join(dataDir, "workbench.sqlite"), { readonly: true });
    try {
      const v = db.prepare("SELECT * FROM variants WHERE model_id = ?").get(result.model.id) as {
        parent_id: string;
        recipe_kind: string;
        recipe_json: string;
        text_set_id: string | null;
        llama_build: string;
      };
      const parent = db.prepare("SELECT id FROM models WHERE path = ?").get(model) as { id: string };
      expect(v.parent_id).toBe(parent.id);
      expect(v.recipe_kind).toBe("prune");
      expect(v.llama_build).toMatch(new RegExp(`^${bundledLlamaCppRelease()} \\([0-9a-f]{7,}\\)$`));
      expect(v.text_set_id).not.toBeNull();
      expect(JSON.parse(v.recipe_json)).toMatchObject({
        dropped: [expected],
        selection: "least-important",
        originalBlockCount: 4,
      });
    } finally {
      db.close();
    }
  });

  it("--layers shortens per-layer metadata arrays left at their old length", async () => {
    const tiny = path.join(dir, "tiny-arrays.gguf");
    writeTinyGguf(tiny, { layers: 4, weights: "F32", perLayerArrays: true });
    const out = path.join(dir, "tiny-pruned.gguf");
    const run = await cwb("--json", "prune", tiny, "--layers", "1,2", "--threads", "2", "--out", out);
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as PruneJobResult;
    expect(result.dropped).toEqual([1, 2]);
    expect(result.fixedMetadata.sort()).toEqual(["llama.attention.head_count", "llama.feed_forward_length"]);
    const { metadata } = await readModelMetadata(out);
    expect(metadata.layers).toBe(2);
    // One entry per remaining block (llama.cpp itself left 4: it only rewrites block_count).
    const info = await readGgufFileInfo(out, { readTensorInfo: false });
    const llamaKv = (
      info.metadata as unknown as {
        llama: { feed_forward_length: unknown; attention: { head_count: unknown } };
      }
    ).llama;
    expect(llamaKv.feed_forward_length).toEqual([128, 128]);
    expect(llamaKv.attention.head_count).toEqual([4, 4]);
    // It loads and runs (the tiny vocabulary may well produce an end-of-text token at once).
    await expect(generate(out)).resolves.toBeTypeOf("string");
  });

  it("refuses to drop blocks the model does not have, writing nothing", async () => {
    const out = path.join(dir, "bad.gguf");
    const run = await cwb("prune", model, "--layers", "7", "--out", out);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/has 4 blocks \(0-3\); cannot drop 7/);
  });
});
