// Width pruning as a user runs it (real CLI, job queue, worker processes, llama.cpp) on the reference
// model: channel and head importance per block, the narrower GGUF (uniform widths as llama scalars,
// per-block widths as llama.cpp's deci architecture with arrays) loads and generates, keeping
// everything reproduces the original tensors and logits, the least important channels cost less
// than random or the most important ones, the variant carries its lineage, bad input and Ctrl+C.
import { spawn } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { readGgufFileInfo } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EvalJobResult } from "../../src/shared/domain/eval.js";
import type { ChannelsJobResult, PruneWidthJobResult } from "../../src/shared/domain/widthPruning.js";
import { CodedError } from "../../src/core/errors.js";
import { planPruneWidth } from "../../src/core/quantize/planPruneWidth.js";
import { Store } from "../../src/core/store/Store.js";
import type { ReferenceModelResult } from "../../src/shared/domain/referenceModel.js";
import { buildNode, repoRoot, runCwb } from "../cli/runCwb.js";
import { generateText } from "../helpers/generateText.js";
import { tensorBytes } from "../helpers/ggufTensors.js";
import { referenceBuildTimeoutMs, referenceModel } from "../helpers/referenceModel.js";
import { makeTempDir, removeDir } from "../quantize/fixtures.js";

let dir: string;
let dataDir: string;
let ref: ReferenceModelResult;

beforeAll(async () => {
  buildNode();
  ref = await referenceModel();
  dir = makeTempDir("width");
  dataDir = path.join(dir, "data");
}, referenceBuildTimeoutMs);
afterAll(() => removeDir(dir));

const cwb = (...args: string[]) => runCwb(["--data-dir", dataDir, ...args]);
const measure = ["--ctx", "256", "--chunks", "4", "--threads", "2"];

async function prune(out: string, ...args: string[]): Promise<PruneWidthJobResult> {
  const run = await cwb(
    "--json",
    "prune",
    ref.modelPath,
    "--text",
    ref.calibrationText.path,
    ...measure,
    "--out",
    out,
    ...args,
  );
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as PruneWidthJobResult;
}

async function evaluate(...variants: string[]): Promise<EvalJobResult> {
  const run = await cwb(
    "--json",
    "eval",
    "--base",
    ref.modelPath,
    "--text",
    ref.evalText.path,
    "--ctx",
    "256",
    "--chunks",
    "8",
    "--threads",
    "2",
    ...variants,
  );
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as EvalJobResult;
}

describe("width pruning", () => {
  it("measures every FFN channel and every head of every block", async () => {
    const run = await cwb(
      "--json",
      "layers",
      ref.modelPath,
      "--text",
      ref.calibrationText.path,
      ...measure,
      "--view",
      "channels",
    );
    expect(run.code, run.stderr).toBe(0);
    const r = JSON.parse(run.stdout) as ChannelsJobResult;
    expect(r.layers).toHaveLength(4);
    expect(r.tokens).toBe(4 * 256);
    expect([r.headCount, r.headCountKv]).toEqual([4, 4]);
    for (const l of r.layers) {
      expect(l.ffn).toHaveLength(768);
      expect(l.heads).toHaveLength(4);
      expect(Math.min(...l.ffn)).toBeGreaterThan(0);
      expect(Math.min(...l.heads)).toBeGreaterThan(0);
    }
    const human = await cwb(
      "layers",
      ref.modelPath,
      "--text",
      ref.calibrationText.path,
      ...measure,
      "--view",
      "heads",
    );
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(/KV GROUPS/);
  });

  it("keeping every channel and head reproduces the original tensors and logits", async () => {
    const out = path.join(dir, "all.gguf");
    const r = await prune(out, "--ffn-keep", "1.0", "--heads-keep", "100%");
    expect(r.architecture).toBe("llama");
    expect(r.ffnLengths).toEqual([768, 768, 768, 768]);
    const original = await tensorBytes(ref.modelPath);
    const pruned = await tensorBytes(out);
    expect([...pruned.keys()].sort()).toEqual([...original.keys()].sort());
    for (const [name, bytes] of original) expect(pruned.get(name)!.equals(bytes), name).toBe(true);
    const figures = (await evaluate(out)).variants[0]!.figures;
    expect(Math.abs(figures.kldMean.value)).toBeLessThan(1e-6);
    expect(figures.kldMax).toBeLessThan(1e-5);
    expect(figures.sameTop.value).toBe(1);
    expect(figures.ppl.value).toBeCloseTo(figures.basePpl.value, 4);
  });

  it("uniform widths stay a llama model with scalar widths, load, generate, and record their lineage", async () => {
    const out = path.join(dir, "uniform.gguf");
    const r = await prune(out, "--ffn-keep", "0.5", "--heads-keep", "3");
    expect(r.architecture).toBe("llama");
    expect(r.ffnLengths).toEqual([384, 384, 384, 384]);
    expect(r.headCounts).toEqual([3, 3, 3, 3]);
    expect(r.ffnKept).toEqual([0.5, 0.5, 0.5, 0.5]);
    const info = await readGgufFileInfo(out, { readTensorInfo: false });
    const llama = info.metadata.llama as unknown as Record<string, unknown> & {
      attention: Record<string, unknown>;
    };
    expect(llama.feed_forward_length).toBe(384);
    expect(llama.attention.head_count).toBe(3);
    expect(llama.attention.key_length).toBe(64);
    expect((await generateText(out)).length).toBeGreaterThan(0);
    const db = new Database(path.join(dataDir, "workbench.sqlite"), { readonly: true });
    try {
      const row = db
        .prepare("SELECT parent_id, recipe_kind, recipe_json, text_set_id FROM variants WHERE model_id = ?")
        .get(r.model.id) as {
        parent_id: string;
        recipe_kind: string;
        recipe_json: string;
        text_set_id: string | null;
      };
      expect(row.recipe_kind).toBe("prune");
      expect(row.text_set_id).not.toBeNull();
      const recipe = JSON.parse(row.recipe_json) as {
        method: string;
        ffnKept: number[];
        importance: { textSha256: string };
      };
      expect(recipe.method).toBe("width");
      expect(recipe.ffnKept).toEqual([0.5, 0.5, 0.5, 0.5]);
      expect(recipe.importance.textSha256).toMatch(/^[0-9a-f]{64}$/);
      const parent = db.prepare("SELECT path FROM models WHERE id = ?").get(row.parent_id) as {
        path: string;
      };
      expect(path.resolve(parent.path)).toBe(path.resolve(ref.modelPath));
    } finally {
      db.close();
    }
  });

  it("per-layer widths are written as per-block arrays (deci architecture) that load and generate", async () => {
    const out = path.join(dir, "per-layer.gguf");
    const r = await prune(out, "--ffn-keep", "0.5", "--heads-keep", "0.75", "--per-layer");
    expect(r.architecture).toBe("deci");
    expect(new Set(r.ffnLengths).size).toBeGreaterThan(1);
    expect(r.ffnLengths.reduce((a, b) => a + b, 0)).toBe(4 * 384);
    const info = await readGgufFileInfo(out, { readTensorInfo: false });
    const deci = (info.metadata as unknown as Record<string, Record<string, unknown>>).deci!;
    expect(deci.feed_forward_length).toEqual(r.ffnLengths);
    expect((deci.attention as Record<string, unknown>).head_count).toEqual(r.headCounts);
    expect((await generateText(out)).length).toBeGreaterThan(0);
  });

  it("removing the least important channels loses less than random ones, and random less than the most important", async () => {
    const outs = ["least-important", "random", "most-important"].map((which) =>
      path.join(dir, `ffn50-${which}.gguf`),
    );
    for (const [i, which] of ["least-important", "random", "most-important"].entries())
      await prune(outs[i]!, "--ffn-keep", "0.5", "--remove", which);
    const [least, random, most] = (await evaluate(...outs)).variants.map((v) => v.figures);
    expect(least!.kldMean.value).toBeLessThan(random!.kldMean.value);
    expect(random!.kldMean.value).toBeLessThan(most!.kldMean.value);
    expect(least!.ppl.value).toBeLessThan(most!.ppl.value);
  });

  it("--k-quant-rows rounds kept FFN widths to multiples of 256; without it the odd widths are named", async () => {
    const rounded = await prune(path.join(dir, "k.gguf"), "--ffn-keep", "0.75", "--k-quant-rows");
    expect(rounded.ffnLengths).toEqual([512, 512, 512, 512]);
    expect(rounded.kQuantFallbacks).toEqual([]);
    const odd = await prune(path.join(dir, "odd.gguf"), "--ffn-keep", "0.75");
    expect(odd.ffnLengths).toEqual([576, 576, 576, 576]);
    expect(odd.kQuantFallbacks).toEqual([0, 1, 2, 3].map((b) => `blk.${b}.ffn_down.weight`));
  });

  it("refuses out-of-range widths and quantized models with coded errors naming the file", async () => {
    const quantized = path.join(dir, "q8.gguf");
    const q = await cwb("quantize", ref.modelPath, "--type", "Q8_0", "--threads", "2", "--out", quantized);
    expect(q.code, q.stderr).toBe(0);
    const store = Store.open(path.join(dir, "planner", "workbench.sqlite"));
    try {
      const plan = (model: string, ffnKeep: string) =>
        planPruneWidth(store.db, path.join(dir, "planner"), {
          model,
          text: ref.calibrationText.path,
          ffnKeep,
          headsKeep: null,
          recipe: { distribution: "uniform", kQuantRows: false, removes: "least-important", seed: 1 },
        });
      for (const [model, keep, code] of [
        [ref.modelPath, "1.5", "BAD_PRUNE_WIDTH"],
        [ref.modelPath, "0%", "BAD_PRUNE_WIDTH"],
        [ref.modelPath, "1000", "BAD_PRUNE_WIDTH"],
        [quantized, "0.5", "PRUNE_INPUT_QUANTIZED"],
      ] as const) {
        const error = await plan(model, keep).then(
          () => null,
          (e: unknown) => e,
        );
        expect(error, `${model} ${keep}`).toBeInstanceOf(CodedError);
        expect((error as CodedError).code).toBe(code);
        expect((error as CodedError).file).toBe(model);
        expect((error as CodedError).message).toContain(model);
      }
    } finally {
      store.close();
    }
    const cli = await cwb("prune", ref.modelPath, "--text", ref.calibrationText.path, "--ffn-keep", "1.5");
    expect(cli.code).toBe(1);
    expect(cli.stderr).toContain(`${ref.modelPath}: FFN channels to keep: "1.5" is outside (0, 1]`);
  });

  it("Ctrl+C while measuring stops the job and leaves no file", async () => {
    const out = path.join(dir, "never.gguf");
    const child = spawn(
      process.execPath,
      [
        path.join(repoRoot, "bin", "cwb.js"),
        "--data-dir",
        dataDir,
        "--progress",
        "prune",
        ref.modelPath,
        "--text",
        ref.calibrationText.path,
        "--ctx",
        "512",
        "--chunks",
        "200",
        "--threads",
        "1",
        "--ffn-keep",
        "0.5",
        "--out",
        out,
      ],
      { cwd: repoRoot, env: { ...process.env, CWB_DATA_DIR: "" } },
    );
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
    const deadline = Date.now() + 120_000;
    while (!/measuring importance: chunk/.test(stderr) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    expect(stderr).toMatch(/measuring importance: chunk/);
    child.kill("SIGINT");
    expect(await exited).toBe(130);
    expect(stderr).toMatch(/cancelled/);
    expect(existsSync(out)).toBe(false);
    expect(existsSync(`${out}.partial`)).toBe(false);
    expect(readdirSync(path.join(dataDir, "tmp"))).toEqual([]);
  });
});
