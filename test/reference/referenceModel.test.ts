// `cwb reference-model`: the real trained model (built once into the shared test cache, see
// test/helpers/referenceModel.ts) beats the unigram baseline by 3x on addresses it never saw, is a
// normal GGUF that node-llama-cpp loads and generates with, and the second call is served from the
// cache at once.
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { getLlama, readGgufFileInfo, LlamaLogLevel, type Token } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ReferenceModelResult } from "../../src/shared/domain/referenceModel.js";
import { referenceModelResult } from "../../src/shared/domain/referenceModel.js";
import { loadNative } from "../../src/worker/native/loadAddon.js";
import { referenceRecipe } from "../../src/core/reference/referenceRecipe.js";
import { readSotuAddresses, splitByYear } from "../../src/core/reference/sotuCorpus.js";
import { referenceBuildTimeoutMs, referenceDataDir, referenceModel } from "../helpers/referenceModel.js";
import { runCwb } from "../cli/runCwb.js";

let ref: ReferenceModelResult;
let scratch: string;

beforeAll(async () => {
  ref = await referenceModel();
  scratch = mkdtempSync(path.join(os.tmpdir(), "cwb-ref-"));
}, referenceBuildTimeoutMs);

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe("reference model", () => {
  it("beats the unigram baseline of its tokenizer by at least 3x on held-out addresses", () => {
    const h = ref.heldOut;
    expect(h.tokens).toBeGreaterThanOrEqual(16 * 1024);
    expect(h.perplexity).toBeGreaterThan(1);
    expect(h.unigramPerplexity / h.perplexity).toBeGreaterThanOrEqual(3);
    expect(h.improvement).toBeCloseTo(h.unigramPerplexity / h.perplexity, 6);
  });

  it("has the recipe's shapes, widths that are multiples of 256, and was really trained", () => {
    const a = ref.architecture;
    expect(a).toMatchObject({ architecture: "llama", nEmbd: 256, nLayer: 4, nVocab: 4096, storage: "F16" });
    expect(a.nEmbd % 256).toBe(0);
    expect(a.nFf % 256).toBe(0);
    // Every planned step, unless the clock limit (a loaded machine) ended training early.
    const planned = referenceRecipe("full").training.steps;
    expect(ref.training.plannedSteps).toBe(planned);
    if (ref.training.timeLimited) {
      expect(ref.training.steps).toBeLessThan(planned);
      expect(ref.training.seconds).toBeGreaterThanOrEqual(referenceRecipe("full").training.maxSeconds);
    } else {
      expect(ref.training.steps).toBe(planned);
    }
    expect(ref.training.tokens).toBe(ref.training.steps * ref.training.tokensPerStep);
    expect(ref.training.finalLoss).toBeLessThan(Math.log(4096) - 2);
    // The optimizer improved on the bigram start (same held-out windows).
    expect(ref.heldOut.perplexity).toBeLessThan(ref.training.startPerplexity);
  });

  it("never trained on its evaluation or calibration addresses, and ships both texts", () => {
    const addresses = readSotuAddresses();
    const split = splitByYear(addresses, referenceRecipe("full").split);
    const trainYears = new Set(split.train.map((a) => a.year));
    const evalYears = ref.evalText.years;
    const calibrationYears = ref.calibrationText.years;
    expect(evalYears.length).toBeGreaterThan(5);
    expect(calibrationYears.length).toBeGreaterThan(5);
    for (const y of [...evalYears, ...calibrationYears]) expect(trainYears.has(y)).toBe(false);
    expect(evalYears.filter((y) => calibrationYears.includes(y))).toEqual([]);
    expect(ref.heldOut.years).toEqual(evalYears);

    const evalText = readFileSync(ref.evalText.path, "utf8");
    const calibrationText = readFileSync(ref.calibrationText.path, "utf8");
    expect(Buffer.byteLength(evalText)).toBe(ref.evalText.bytes);
    expect(Buffer.byteLength(calibrationText)).toBe(ref.calibrationText.bytes);
    expect(evalText).toContain(split.eval[0]!.text.slice(0, 200));
    expect(calibrationText).toContain(split.calibration[0]!.text.slice(0, 200));
    expect(evalText).not.toContain(split.train[0]!.text.slice(0, 200));
    expect(path.dirname(ref.evalText.path)).toBe(ref.dir);
    expect(path.dirname(ref.modelPath)).toBe(ref.dir);
  });

  it("is a normal F16 GGUF with sensible metadata, and reports its parameters after loading", async () => {
    expect(statSync(ref.modelPath).size).toBe(ref.sizeBytes);
    const info = await readGgufFileInfo(ref.modelPath, { readTensorInfo: true });
    const md = info.metadata as unknown as {
      general: { architecture: string; name: string; file_type: number };
      llama: {
        context_length: number;
        embedding_length: number;
        block_count: number;
        feed_forward_length: number;
        rope: { freq_base: number; dimension_count: number };
      };
      tokenizer: { ggml: { model: string; tokens: string[]; bos_token_id: number; eos_token_id: number } };
    };
    expect(md.general).toMatchObject({ architecture: "llama", name: "cwb-reference", file_type: 1 });
    expect(md.llama).toMatchObject({
      context_length: 1024,
      embedding_length: 256,
      block_count: 4,
      feed_forward_length: ref.architecture.nFf,
    });
    expect(md.llama.rope).toMatchObject({ freq_base: 10000, dimension_count: 64 });
    expect(md.tokenizer.ggml.model).toBe("llama");
    expect(md.tokenizer.ggml.tokens).toHaveLength(4096);
    // Matrices F16, norms F32.
    const types = new Set(
      info.fullTensorInfo!.filter((t) => t.dimensions.length === 2).map((t) => t.ggmlType),
    );
    expect([...types]).toEqual([1]);

    const { addon } = await loadNative();
    const described = addon.describeModel(ref.modelPath);
    expect(described.nParams).toBe(ref.architecture.nParams);
    expect(described.nParams).toBeGreaterThan(5_000_000);
    expect(described).toMatchObject({ nCtxTrain: 1024, nEmbd: 256, nLayer: 4, nVocab: 4096 });
  });

  it("loads in node-llama-cpp and generates English-looking text", async () => {
    const llama = await getLlama({ gpu: false, build: "never", logLevel: LlamaLogLevel.error });
    const model = await llama.loadModel({ modelPath: ref.modelPath });
    const context = await model.createContext({ contextSize: 256 });
    try {
      const sequence = context.getSequence();
      const prompt = model.tokenize("The Congress of the United States");
      const generated: Token[] = [];
      for await (const token of sequence.evaluate(prompt, { temperature: 0 })) {
        generated.push(token);
        if (generated.length >= 24) break;
      }
      const text = model.detokenize(generated);
      expect(generated.length).toBe(24);
      // A trained model continues with common English words, not byte soup.
      const words = text.toLowerCase().match(/[a-z]+/g) ?? [];
      expect(words.length).toBeGreaterThanOrEqual(5);
      expect(words.some((w) => ["the", "of", "and", "to", "in", "a"].includes(w))).toBe(true);
    } finally {
      await context.dispose();
      await model.dispose();
    }
  });

  it("serves the second call from the cache at once and copies with --out", async () => {
    const out = path.join(scratch, "copy.gguf");
    const started = Date.now();
    const run = await runCwb(["reference-model", "--data-dir", referenceDataDir, "--json", "--out", out]);
    expect(run.code, run.stderr).toBe(0);
    expect(Date.now() - started).toBeLessThan(15_000);
    const printed = JSON.parse(run.stdout) as unknown;
    const result = referenceModelResult.parse(printed);
    expect(result.cached).toBe(true);
    expect(result.recipeHash).toBe(ref.recipeHash);
    expect((printed as { outPath: string }).outPath).toBe(out);
    expect(statSync(out).size).toBe(ref.sizeBytes);
    expect(existsSync(`${out}.partial-${process.pid}`)).toBe(false);

    const human = await runCwb(["reference-model", "--data-dir", referenceDataDir]);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/held-out PPL: +\d/);
    expect(human.stdout).toMatch(/unigram PPL: +\d/);
    expect(human.stdout).toContain("(cached)");
  });
});
