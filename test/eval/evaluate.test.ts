// The native evaluation (native/src/evaluate.cpp) through the real addon and llama.cpp: base pass and
// compact file, variant passes, the compact KLD against the exact full-vocabulary KLD, abort, errors.
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, truncateSync, copyFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CwbNativeAddon, EvaluateResult } from "../../src/worker/native/AddonTypes.js";
import { loadNative } from "../../src/worker/native/loadAddon.js";
import { evalBase, quantizedVariant } from "./models.js";
import { writeEvalText } from "./evalText.js";

const mean = (a: ArrayLike<number>): number => Array.from(a).reduce((s, x) => s + x, 0) / a.length;

describe("native evaluate", () => {
  let addon: CwbNativeAddon;
  let dir: string;
  let text: string;
  let base: string;
  let baseFile: string;
  let baseResult: EvaluateResult;
  const settings = { nCtx: 128, nChunks: 6, topKMax: 64, topMass: 0.999, tailSamples: 64 };

  beforeAll(async () => {
    addon = (await loadNative({ gpu: "cpu" })).addon;
    dir = mkdtempSync(path.join(os.tmpdir(), "cwb-eval-native-"));
    text = writeEvalText(dir, 40_000);
    base = (await evalBase()).model;
    baseFile = path.join(dir, "base.cwbbase");
    const progress: number[] = [];
    baseResult = await addon.evaluate(
      { modelPath: base, textPath: text, writeBasePath: baseFile, ...settings },
      (event) => {
        if (event.type === "progress" && event.done !== undefined) progress.push(event.done);
      },
    ).promise;
    // Progress travels through a thread-safe function and may land just after the promise settles.
    for (const deadline = Date.now() + 5_000; progress.at(-1) !== 6 && Date.now() < deadline;)
      await new Promise((resolve) => setTimeout(resolve, 10));
    expect(progress.at(-1)).toBe(6);
  }, 1_800_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("scores the second half of every chunk, like llama-perplexity", () => {
    expect(baseResult.nChunks).toBe(6);
    expect(baseResult.nScoredPerChunk).toBe(128 - 1 - 64);
    expect(baseResult.nll.length).toBe(6 * 63);
    for (const v of baseResult.nll) expect(Number.isFinite(v) && v > 0).toBe(true);
  });

  it("writes the compact base file completely and only under its final name", () => {
    expect(existsSync(baseFile)).toBe(true);
    expect(readdirSync(dir).filter((f) => f.includes(".partial"))).toEqual([]);
    const info = baseResult.baseFile!;
    expect(statSync(baseFile).size).toBe(info.bytes);
    // header + tokens + at least 12 + 8 bytes per position, at most 12 + 8·(k + s)
    const fixed = 64 + 4 * 128 * 6;
    const positions = 6 * 63;
    expect(info.bytes).toBeGreaterThanOrEqual(fixed + positions * 20);
    expect(info.bytes).toBeLessThanOrEqual(fixed + positions * (12 + 8 * (64 + 64)));
    expect(info.meanK).toBeGreaterThanOrEqual(1);
    expect(info.meanK).toBeLessThanOrEqual(64);
  });

  it("the base against its own file: same perplexity, zero divergence, same top token everywhere", async () => {
    const r = await addon.evaluate({ modelPath: base, basePath: baseFile, ...settings }).promise;
    expect(Array.from(r.nll)).toEqual(Array.from(baseResult.nll));
    for (let i = 0; i < r.nll.length; i++) expect(r.baseNll![i]).toBeCloseTo(r.nll[i]!, 5);
    expect(Math.max(...Array.from(r.kld!, Math.abs))).toBeLessThan(1e-6);
    expect(Array.from(r.sameTop!).every((x) => x === 1)).toBe(true);
  }, 300_000);

  it("a quantized variant: compact-file KLD within 2 % of the exact full-vocabulary KLD", async () => {
    const variant = quantizedVariant(base, "Q4_0");
    const r = await addon.evaluate({
      modelPath: variant,
      basePath: baseFile,
      exactBaseModelPath: base,
      ...settings,
    }).promise;
    const compact = mean(r.kld!);
    const exact = mean(r.kldExact!);
    expect(exact).toBeGreaterThan(0);
    expect(Math.abs(compact / exact - 1)).toBeLessThan(0.02);
    // and the variant's own perplexity is a different, finite number
    expect(Math.exp(mean(r.nll))).not.toBe(Math.exp(mean(baseResult.nll)));
  }, 300_000);

  it("abort stops the pass, rejects with ABORTED and leaves no file", async () => {
    const out = path.join(dir, "aborted.cwbbase");
    let handle: ReturnType<CwbNativeAddon["evaluate"]> | undefined = undefined;
    handle = addon.evaluate(
      { modelPath: base, textPath: text, writeBasePath: out, nCtx: 64, nChunks: -1, nBatch: 64 },
      (event) => {
        if (event.type === "progress" && (event.done ?? 0) >= 1) handle?.abort();
      },
    );
    await expect(handle.promise).rejects.toMatchObject({ code: "ABORTED" });
    expect(existsSync(out)).toBe(false);
    expect(existsSync(`${out}.partial`)).toBe(false);
  }, 300_000);

  it("errors name the file and the problem", async () => {
    await expect(
      addon.evaluate({ modelPath: base, textPath: path.join(dir, "missing.txt"), nCtx: 128 }).promise,
    ).rejects.toThrow(/missing\.txt: cannot open/);
    const short = writeEvalText(dir, 300);
    await expect(addon.evaluate({ modelPath: base, textPath: short, nCtx: 128 }).promise).rejects.toThrow(
      /at least 256 are needed/,
    );
    const broken = path.join(dir, "broken.cwbbase");
    copyFileSync(baseFile, broken);
    truncateSync(broken, statSync(baseFile).size - 10);
    await expect(addon.evaluate({ modelPath: base, basePath: broken, nCtx: 128 }).promise).rejects.toThrow(
      /broken\.cwbbase: truncated/,
    );
    expect(() => addon.evaluate({ modelPath: base, nCtx: 128 })).toThrow(/textPath or basePath/);
  }, 300_000);
});
