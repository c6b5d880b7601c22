// Speculative sampling in the addon's native loop (native/src/speculativeDecode.cpp) keeps the
// target's distribution whatever the draft: on the quick reference model with a Q2_K draft (which
// disagrees with it often), the first sampled token's distribution over many seeded streams must match
// the target sampling alone (chi-square homogeneity test), while the draft's own distribution must
// not (the test can tell them apart). With the target as its own draft almost every token is accepted,
// and a seed reproduces its tokens.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadNative } from "../../src/worker/native/loadAddon.js";
import type { CwbNativeAddon, SpeculateOptions } from "../../src/worker/native/AddonTypes.js";
import { referenceModelPath, referenceBuildTimeoutMs } from "../helpers/referenceModel.js";

let addon: CwbNativeAddon;
let dir: string;
let target: string;
let draft: string;
// BOS and four ordinary ids of the quick model's 4,096-piece tokenizer (any in-vocabulary ids do).
const prompt = Int32Array.from([1, 450, 2106, 310, 278]);
const temperature = 1;
const samples = 400;

beforeAll(async () => {
  addon = (await loadNative({ gpu: "cpu" })).addon;
  target = await referenceModelPath("quick");
  dir = mkdtempSync(path.join(os.tmpdir(), "cwb-spec-sampling-"));
  draft = path.join(dir, "draft-Q2_K.gguf");
  await addon.quantize({ inPath: target, outPath: draft, ftype: 10 /* Q2_K */ }).promise;
}, referenceBuildTimeoutMs);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function run(options: Partial<SpeculateOptions> & { targetPath: string; draftPath: string }) {
  return addon.speculate({
    prompts: [prompt],
    draftMax: [3],
    temperature,
    // One thread: a spinning two-thread pool crawls when other jobs share the two cores.
    threads: 1,
    contextSize: 64,
    ...options,
  }).promise;
}

/** First written token of every repetition: of the speculative generation, and of the target alone. */
async function firstTokens(targetPath: string, draftPath: string, seed: number) {
  // One drafted token per round: the first written token is the accepted draft or the residual's.
  const result = await run({ targetPath, draftPath, maxTokens: 1, draftMax: [1], reps: samples, seed });
  return {
    spec: result.runs.map((r) => r.tokens[0] ?? -1),
    alone: result.runs.map((r) => r.alone?.tokens[0] ?? -1),
  };
}

/**
 * Chi-square homogeneity statistic of two equal-size samples over their categories (those with fewer
 * than 10 draws together pooled into one), and its 0.1 % critical value (Wilson-Hilferty).
 */
function chiSquare(a: number[], b: number[]): { statistic: number; critical: number } {
  const count = (xs: number[]) =>
    xs.reduce((m, x) => m.set(x, (m.get(x) ?? 0) + 1), new Map<number, number>());
  const ca = count(a);
  const cb = count(b);
  const bins: [number, number][] = [];
  let rare: [number, number] = [0, 0];
  for (const token of new Set([...ca.keys(), ...cb.keys()])) {
    const cell: [number, number] = [ca.get(token) ?? 0, cb.get(token) ?? 0];
    if (cell[0] + cell[1] >= 10) bins.push(cell);
    else rare = [rare[0] + cell[0], rare[1] + cell[1]];
  }
  if (rare[0] + rare[1] > 0) bins.push(rare);
  let statistic = 0;
  for (const [x, y] of bins) statistic += (x - y) ** 2 / (x + y);
  const df = bins.length - 1;
  const z = 3.09;
  const critical = df * (1 - 2 / (9 * df) + z * Math.sqrt(2 / (9 * df))) ** 3;
  return { statistic, critical };
}

describe("speculative sampling (native loop)", () => {
  it("samples the first token from the target's distribution with a bad draft", async () => {
    const withBadDraft = await firstTokens(target, draft, 7);
    // The draft alone, as a control: its distribution differs, and the test sees it.
    const draftAlone = (await firstTokens(draft, draft, 8)).alone;
    const kept = chiSquare(withBadDraft.spec, withBadDraft.alone);
    const control = chiSquare(draftAlone, withBadDraft.alone);
    expect(new Set(withBadDraft.alone).size).toBeGreaterThan(3);
    expect(kept.statistic, JSON.stringify(kept)).toBeLessThan(kept.critical);
    expect(control.statistic, JSON.stringify(control)).toBeGreaterThan(control.critical);
  }, 60_000);

  it("accepts almost every draft token when the draft is the target, and a seed reproduces the text", async () => {
    const first = await run({ targetPath: target, draftPath: target, maxTokens: 24, reps: 2, seed: 11 });
    const drafted = first.runs.reduce((n, r) => n + r.counts.drafted, 0);
    const accepted = first.runs.reduce((n, r) => n + r.counts.accepted, 0);
    expect(drafted).toBeGreaterThan(20);
    expect(accepted / drafted).toBeGreaterThan(0.95);
    // Repetitions draw from different streams; the same seed gives the same streams.
    expect([...first.runs[0]!.tokens]).not.toEqual([...first.runs[1]!.tokens]);
    const again = await run({ targetPath: target, draftPath: target, maxTokens: 24, reps: 2, seed: 11 });
    expect(again.runs.map((r) => [...r.tokens])).toEqual(first.runs.map((r) => [...r.tokens]));
  }, 60_000);
});
