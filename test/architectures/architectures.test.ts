// Every model family users bring, not only llama: a tiny random-weight model of each (made by the
// addon's createModel with a vocabulary from the llama.cpp bundle) goes through the real CLI:
// `cwb prune --drop 1` (which ranks the blocks as `cwb layers` does), `cwb quantize` (byte-identical
// to llama-quantize), `cwb imatrix` (as llama-imatrix computes it) and a quantize with it
// (byte-identical again), `cwb eval` against the base, `cwb bench`, and `cwb distill`: trained where
// ggml can differentiate the family's graph, refused by name before any worker starts elsewhere.
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PruneJobResult } from "../../src/shared/domain/compression.js";
import { readModelMetadata } from "../../src/core/library/readModelMetadata.js";
import { bundledLlamaCppRelease } from "../../src/core/machine/machineFingerprint.js";
import { tensorBytes } from "../helpers/ggufTensors.js";
import { buildNode, repoRoot, runCwb } from "../cli/runCwb.js";
import {
  llamaTools,
  makeTempDir,
  nativeAddon,
  removeDir,
  runTool,
  sha256,
  usableTools,
  writeCalibrationText,
} from "../quantize/fixtures.js";

interface Family {
  architecture: string;
  vocabulary: string;
  /** Tensors per block (what dropping one block removes). */
  blockTensors: number;
  extra?: Record<string, number>;
  /** Why distillation is refused (a part of the NOT_TRAINABLE message); absent: it trains. */
  notTrainable?: string;
}

const allFamilies: Family[] = [
  { architecture: "qwen2", vocabulary: "qwen2", blockTensors: 12 },
  { architecture: "qwen3", vocabulary: "qwen2", blockTensors: 11 },
  { architecture: "gemma2", vocabulary: "llama-spm", blockTensors: 11, notTrainable: "GELU activation" },
  { architecture: "gemma3", vocabulary: "llama-spm", blockTensors: 13, notTrainable: "GELU activation" },
  { architecture: "phi3", vocabulary: "phi-3", blockTensors: 6, notTrainable: "one-input SwiGLU" },
  {
    architecture: "qwen3moe",
    vocabulary: "qwen2",
    blockTensors: 12,
    extra: { nExpert: 4, nExpertUsed: 2 },
    notTrainable: "mixture-of-experts blocks",
  },
];

// CI runs the four that cover every tensor layout (qwen2's biases, qwen3moe's q/k norms and experts,
// gemma3's extra norms, softcaps and tied output, phi3's fused tensors); qwen3 and gemma2 are subsets
// of those and run with `npm run test:architectures` (CWB_ARCHITECTURES=all), or name them in it.
const chosen = process.env.CWB_ARCHITECTURES ?? "qwen2,qwen3moe,gemma3,phi3";
const families =
  chosen === "all" ? allFamilies : allFamilies.filter((f) => chosen.split(",").includes(f.architecture));

const tools = llamaTools();
/** The text and how much of it every measuring command reads: two 128-token chunks, two threads. */
const sampleArgs = () => ["--text", text, "--ctx", "128", "--chunks", "2", "--threads", "2"];
let dir: string;
let text: string;

beforeAll(() => {
  buildNode();
  dir = makeTempDir("architectures");
  text = writeCalibrationText(path.join(dir, "text.txt"), 1);
  if (!("skip" in tools)) void usableTools(tools).quantize; // builds llama-quantize once
}, 600_000);
afterAll(() => removeDir(dir));

describe.each(families)("$architecture", (family) => {
  const { architecture } = family;
  let model: string;
  let pruned: string;
  let quantized: string;
  let dataDir: string;
  const cwb = (...args: string[]) => runCwb(["--data-dir", dataDir, "--json", "--no-progress", ...args]);

  beforeAll(async () => {
    dataDir = path.join(dir, `data-${architecture}`);
    model = path.join(dir, `${architecture}.gguf`);
    pruned = path.join(dir, `${architecture}-pruned.gguf`);
    quantized = path.join(dir, `${architecture}-pruned.Q4_K_M.gguf`);
    await (
      await nativeAddon()
    ).createModel({
      outPath: model,
      vocabPath: path.join(
        repoRoot,
        "native",
        "llama-src",
        bundledLlamaCppRelease(),
        "models",
        `ggml-vocab-${family.vocabulary}.gguf`,
      ),
      architecture,
      nVocab: 1024,
      nEmbd: 256,
      nFf: 256,
      nLayer: 3,
      nHead: 4,
      nHeadKv: 2,
      type: "f16",
      seed: 11,
      ...family.extra,
    });
  });

  it("drops its least important block (cwb prune --drop 1)", async () => {
    const run = await cwb("prune", model, "--drop", "1", ...sampleArgs(), "--out", pruned);
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as PruneJobResult;
    expect(result.dropped).toHaveLength(1);
    expect(result.blockCount).toBe(2);
    const { metadata } = await readModelMetadata(pruned);
    expect(metadata.architecture).toBe(architecture);
    expect(metadata.layers).toBe(2);
    const before = await tensorBytes(model);
    const after = await tensorBytes(pruned);
    expect(after.size).toBe(before.size - family.blockTensors);
    expect((await nativeAddon()).describeModel(pruned).nLayer).toBe(2);
  });

  it.runIf(architecture === "phi3")("refuses width pruning with a coded error", async () => {
    const run = await cwb("prune", model, "--ffn-keep", "0.5", "--text", text, "--out", pruned + ".w");
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain(
      `${model}: width pruning needs a llama-architecture model, this one is phi3`,
    );
  });

  it.skipIf("skip" in tools)("quantizes byte-identically to llama-quantize", async () => {
    const run = await cwb("quantize", pruned, "--type", "Q4_K_M", "--out", quantized);
    expect(run.code, run.stderr).toBe(0);
    const reference = path.join(dir, `${architecture}-reference.gguf`);
    runTool(usableTools(tools).quantize, [pruned, reference, "Q4_K_M"]);
    expect(sha256(quantized)).toBe(sha256(reference));
  });

  it.skipIf("skip" in tools)(
    "computes the importance matrix as llama-imatrix does, and quantizes with it byte-identically",
    async () => {
      const ours = path.join(dir, `${architecture}.ours.imatrix.gguf`);
      const theirs = path.join(dir, `${architecture}.theirs.imatrix.gguf`);
      const run = await cwb("imatrix", model, ...sampleArgs(), "--out", ours);
      expect(run.code, run.stderr).toBe(0);
      const sample = ["-f", text, "-c", "128", "--chunks", "2", "-t", "2", "--no-ppl"];
      runTool(usableTools(tools).imatrix, ["-m", model, "-o", theirs, ...sample]);
      const addon = await nativeAddon();
      const [a, b] = [await addon.loadImatrix(theirs), await addon.loadImatrix(ours)];
      expect(Object.keys(b.entries).sort()).toEqual(Object.keys(a.entries).sort());
      let maxRel = 0;
      for (const [name, entry] of Object.entries(a.entries)) {
        // Counts per expert for a mixture of experts: the router sends each token to some of them.
        expect(Array.from(b.entries[name]!.counts), name).toEqual(Array.from(entry.counts));
        entry.sums.forEach((sum, i) => {
          maxRel = Math.max(maxRel, Math.abs(sum - b.entries[name]!.sums[i]!) / (Math.abs(sum) || 1));
        });
      }
      expect(maxRel).toBeLessThan(1e-4);

      const withMatrix = path.join(dir, `${architecture}.imatrix.Q4_K_M.gguf`);
      const quantized = await cwb(
        "quantize",
        model,
        "--type",
        "Q4_K_M",
        "--imatrix",
        ours,
        "--out",
        withMatrix,
      );
      expect(quantized.code, quantized.stderr).toBe(0);
      const reference = path.join(dir, `${architecture}.imatrix.reference.gguf`);
      runTool(usableTools(tools).quantize, ["--imatrix", ours, model, reference, "Q4_K_M"]);
      expect(sha256(withMatrix)).toBe(sha256(reference));
    },
  );

  it(
    family.notTrainable ? "refuses distillation before any worker starts" : "distills a pruned student",
    async () => {
      const healed = path.join(dir, `${architecture}.healed.gguf`);
      const args = [
        "--teacher",
        model,
        "--student-from",
        "drop:1",
        "--text",
        text,
        "--tokens",
        "512",
        "--out",
        healed,
      ];
      const run = await cwb("distill", ...args);
      if (family.notTrainable) {
        expect(run.code).toBe(1);
        expect(run.stderr).toContain(
          `${model}: the student made from it (${architecture}) cannot be trained:`,
        );
        expect(run.stderr).toContain(family.notTrainable);
        return;
      }
      expect(run.code, run.stderr).toBe(0);
      const result = JSON.parse(run.stdout) as { training: { lossCurve: { step: number; loss: number }[] } };
      const curve = result.training.lossCurve;
      expect(curve.map((p) => p.step)).toEqual([1, 2]);
      expect(curve[1]!.loss).toBeLessThan(curve[0]!.loss);
      expect((await nativeAddon()).describeModel(healed).nLayer).toBe(2);
    },
  );

  it("evaluates the pruned, quantized model against the base", async () => {
    const run = await cwb("eval", quantized, "--base", model, ...sampleArgs());
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as {
      basePpl: { value: number };
      variants: { figures: { kldMean: { value: number }; ppl: { value: number } } }[];
    };
    expect(Number.isFinite(result.basePpl.value)).toBe(true);
    const figures = result.variants[0]!.figures;
    expect(Number.isFinite(figures.ppl.value)).toBe(true);
    expect(figures.kldMean.value).toBeGreaterThan(0);
  });

  it("benchmarks the quantized model", async () => {
    const run = await cwb(
      "bench",
      quantized,
      ..."--pp 16 --tg 4 --tg-prompt 8 --reps 1 --warmup 0 --warm-loads 0 --threads 2".split(" "),
      "--no-bandwidth",
    );
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as { metrics: { name: string; value: number }[] };
    const tg = report.metrics.find((m) => m.name === "tg.4");
    expect(tg?.value, JSON.stringify(report.metrics.map((m) => m.name))).toBeGreaterThan(0);
  });
});
