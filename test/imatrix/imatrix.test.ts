// `cwb imatrix` against llama.cpp's own llama-imatrix on the same model, text and settings: every
// sum of squared activations and every count must be equal, llama-quantize must accept our file,
// the calibration text is stored once (hashed, copied into the data dir), and a quantization made
// with our matrix records the matrix and its text set.
import { copyFileSync, existsSync, readdirSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ImatrixJobResult, QuantizeJobResult } from "../../src/shared/domain/compression.js";
import { buildNode, runCwb } from "../cli/runCwb.js";
import {
  llamaTools,
  makeRandomModel,
  makeTempDir,
  nativeAddon,
  removeDir,
  runTool,
  sha256,
  writeCalibrationText,
} from "../quantize/fixtures.js";

const tools = llamaTools();
const skip = "skip" in tools ? tools.skip : null;
if (skip) console.warn(`[imatrix] skipped: ${skip}`);

let dir: string;
let dataDir: string;
let model: string;
let text: string;

beforeAll(async () => {
  if (skip) return;
  if (!("skip" in tools)) expect(tools.imatrix).toBeTruthy(); // builds the tools when not cached
  buildNode();
  dir = makeTempDir("imatrix");
  dataDir = path.join(dir, "data");
  model = await makeRandomModel(path.join(dir, "base-f32.gguf"), { seed: 11 });
  text = writeCalibrationText(path.join(dir, "calibration.txt"));
});
afterAll(() => removeDir(dir));

const cwb = (...args: string[]) => runCwb(["--data-dir", dataDir, ...args]);

describe.skipIf(skip !== null)("cwb imatrix", () => {
  let ours: ImatrixJobResult;
  const theirs = () => path.join(dir, "theirs.imatrix.gguf");

  it("matches llama-imatrix: same entries and counts, values within 1e-4 (ctx 128, 12 chunks in one batch of parallel sequences)", async () => {
    const oursPath = path.join(dir, "ours.imatrix.gguf");
    const started = performance.now();
    const run = await cwb(
      "--json",
      "imatrix",
      model,
      "--text",
      text,
      "--ctx",
      "128",
      "--chunks",
      "12",
      "--threads",
      "2",
      "--out",
      oursPath,
    );
    const wall = (performance.now() - started) / 1000;
    expect(run.code, run.stderr).toBe(0);
    ours = JSON.parse(run.stdout) as ImatrixJobResult;
    expect(ours.path).toBe(oursPath);
    if ("skip" in tools) return;
    const t = runTool(tools.imatrix, [
      "-m",
      model,
      "-f",
      text,
      "-o",
      theirs(),
      "-c",
      "128",
      "--chunks",
      "12",
      "-t",
      "2",
      "--no-ppl",
    ]);

    const addon = await nativeAddon();
    const a = await addon.loadImatrix(theirs());
    const b = await addon.loadImatrix(oursPath);
    expect(Object.keys(b.entries).sort()).toEqual(Object.keys(a.entries).sort());
    expect(Object.keys(a.entries)).toHaveLength(28); // 7 matrices × 4 blocks
    let values = 0;
    let exact = 0;
    let maxRel = 0;
    for (const [name, e] of Object.entries(a.entries)) {
      const f = b.entries[name]!;
      expect(f.counts, name).toEqual(e.counts);
      expect(f.sums.length, name).toBe(e.sums.length);
      for (let i = 0; i < e.sums.length; i++) {
        maxRel = Math.max(maxRel, Math.abs(e.sums[i]! - f.sums[i]!) / Math.abs(e.sums[i]!));
        if (e.sums[i] === f.sums[i]) exact++;
        values++;
      }
    }
    // The same accumulation over the same rows: inputs computed before any attention (block 0's
    // Q/K/V projections see the normed embeddings) are bit-identical. Later ones pass through the
    // attention kernel, where llama.cpp's tools (built here with GGML_NATIVE and OpenMP) and the
    // prebuilt CPU backend node-llama-cpp loads round a few values differently in the last bits.
    for (const name of ["blk.0.attn_q.weight", "blk.0.attn_k.weight", "blk.0.attn_v.weight"]) {
      expect(Array.from(b.entries[name]!.sums), name).toEqual(Array.from(a.entries[name]!.sums));
    }
    expect(maxRel).toBeLessThan(1e-4);
    expect(b.chunkCount).toBe(a.chunkCount);
    expect(b.chunkSize).toBe(128);
    expect(a.entries["blk.0.attn_q.weight"]!.counts).toEqual([12 * 128]);
    console.log(
      `[imatrix] ${values} values compared: ${exact} bit-identical, max relative difference ${maxRel.toExponential(2)}; cwb ${ours.seconds.toFixed(1)} s in the worker (${wall.toFixed(1)} s command), llama-imatrix ${t.seconds.toFixed(1)} s`,
    );
  });

  it("writes a file llama-quantize accepts (IQ2_XS needs the matrix)", () => {
    if ("skip" in tools) return;
    const out = path.join(dir, "their-quantize-of-our-imatrix.gguf");
    runTool(tools.quantize, ["--imatrix", ours.path, model, out, "IQ2_XS", "2"]);
    expect(existsSync(out)).toBe(true);
  });

  it("stores the calibration text once, however often and under whatever name it is given", async () => {
    const copy = path.join(dir, "same-text-other-name.txt");
    copyFileSync(text, copy);
    const run = await cwb(
      "--json",
      "imatrix",
      model,
      "--text",
      copy,
      "--ctx",
      "128",
      "--chunks",
      "2",
      "--threads",
      "2",
    );
    expect(run.code, run.stderr).toBe(0);
    const second = JSON.parse(run.stdout) as ImatrixJobResult;
    expect(second.textSetId).toBe(ours.textSetId);
    expect(path.dirname(second.path)).toBe(path.join(dataDir, "artifacts"));
    const db = new Database(path.join(dataDir, "workbench.sqlite"), { readonly: true });
    try {
      const sets = db.prepare("SELECT * FROM text_sets").all() as {
        path: string;
        sha256: string;
        purpose: string;
      }[];
      expect(sets).toHaveLength(1);
      expect(sets[0]!.sha256).toBe(sha256(text));
      expect(sets[0]!.purpose).toBe("calibration");
      expect(path.dirname(sets[0]!.path)).toBe(path.join(dataDir, "text-sets"));
      expect(sha256(sets[0]!.path)).toBe(sha256(text));
      expect(readdirSync(path.join(dataDir, "text-sets"))).toHaveLength(1);
      const artifacts = db
        .prepare("SELECT * FROM artifacts WHERE kind = 'imatrix' ORDER BY created_at")
        .all() as { sha256: string; text_set_id: string; settings_json: string }[];
      expect(artifacts).toHaveLength(2);
      expect(artifacts[0]!.sha256).toBe(sha256(ours.path));
      expect(artifacts.every((a) => a.text_set_id === ours.textSetId)).toBe(true);
      expect(JSON.parse(artifacts[0]!.settings_json)).toMatchObject({ contextSize: 128, chunks: 12 });
    } finally {
      db.close();
    }
  });

  it("a quantization with our matrix records the matrix and its calibration text with the variant", async () => {
    const out = path.join(dir, "q2k.gguf");
    const run = await cwb(
      "--json",
      "quantize",
      model,
      "--type",
      "Q2_K_S",
      "--imatrix",
      ours.path,
      "--threads",
      "2",
      "--out",
      out,
    );
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as QuantizeJobResult;
    const db = new Database(path.join(dataDir, "workbench.sqlite"), { readonly: true });
    try {
      const v = db.prepare("SELECT * FROM variants WHERE model_id = ?").get(result.model!.id) as {
        imatrix_id: string;
        text_set_id: string;
      };
      expect(v.imatrix_id).toBe(ours.artifactId);
      expect(v.text_set_id).toBe(ours.textSetId);
    } finally {
      db.close();
    }
    if ("skip" in tools) return;
    const theirsQ = path.join(dir, "q2k-theirs.gguf");
    runTool(tools.quantize, ["--imatrix", ours.path, model, theirsQ, "Q2_K_S", "2"]);
    expect(sha256(out)).toBe(sha256(theirsQ));
  });

  it("refuses a text too short for two chunks of the context, naming the text file it read", async () => {
    const run = await cwb("imatrix", model, "--text", text, "--ctx", "16384");
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /text-sets\/[0-9a-f]{12}-calibration\.txt: the text has \d+ tokens; at least 32768 are needed/,
    );
  });
});
