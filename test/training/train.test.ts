// The addon's training entry points on a real (small) llama model made from scratch: loss falls on
// the given labels, progress arrives while the event loop keeps running, checkpoints are written,
// cancel stops cleanly, and bad input is refused before any work starts.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadNative } from "../../src/worker/native/loadAddon.js";
import type { CwbNativeAddon, TrainProgress } from "../../src/worker/native/AddonTypes.js";
import { vocabularyPath } from "../../src/core/reference/vocabularySource.js";

let addon: CwbNativeAddon;
let dir: string;
let initPath: string;

const nCtx = 256;
const nUbatch = 64;

/**
 * A task only labels can define: the target at each position is a fixed function of the input token
 * (not the next token), so a model that learns it must be learning from `labels`.
 */
function labelledSequences(sequences: number, seed: number): { data: Int32Array; labels: Int32Array } {
  const data = new Int32Array(sequences * nCtx);
  const labels = new Int32Array(sequences * nCtx);
  let state = seed;
  for (let i = 0; i < data.length; i++) {
    state = (state * 1103515245 + 12345) % 2147483648;
    const token = 300 + (state % 40);
    data[i] = token;
    labels[i] = 1000 + ((token * 7) % 40);
  }
  return { data, labels };
}

beforeAll(async () => {
  ({ addon } = await loadNative());
  dir = mkdtempSync(path.join(os.tmpdir(), "cwb-train-"));
  initPath = path.join(dir, "init.gguf");
  const created = await addon.createModel({
    outPath: initPath,
    vocabPath: vocabularyPath("ggml-vocab-llama-spm.gguf"),
    name: "train-test",
    nVocab: 2048,
    nEmbd: 128,
    nFf: 256,
    nLayer: 2,
    nHead: 2,
    nCtx,
    seed: 7,
  });
  expect(created.nVocab).toBe(2048);
  expect(created.nParams).toBe(2048 * 128 * 2 + 128 + 2 * (2 * 128 + 4 * 128 * 128 + 3 * 128 * 256));
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("train", () => {
  it("lowers the loss on the given labels, reports progress without blocking, checkpoints and saves", async () => {
    const { data, labels } = labelledSequences(12, 1);
    const held = labelledSequences(2, 99);
    const before = await addon.evaluateLoss({
      modelPath: initPath,
      data: held.data,
      labels: held.labels,
      nCtx,
    });

    const outPath = path.join(dir, "trained.gguf");
    const checkpointPath = path.join(dir, "checkpoint.gguf");
    const reports: TrainProgress[] = [];
    let ticks = 0;
    const timer = setInterval(() => ticks++, 20);
    const run = addon.train(
      {
        modelPath: initPath,
        outPath,
        data,
        labels,
        nCtx,
        nUbatch,
        maxSteps: 12,
        lr: 3e-3,
        lrMin: 3e-4,
        warmupSteps: 2,
        seed: 3,
        checkpointPath,
        checkpointEvery: 4,
        progressIntervalMs: 0,
      },
      (p) => reports.push(p),
    );
    const result = await run.promise.finally(() => clearInterval(timer));

    expect(result.cancelled).toBe(false);
    expect(result.steps).toBe(12);
    expect(result.tokens).toBe(12 * nCtx);
    expect(result.outPath).toBe(outPath);
    expect(result.stepLoss).toHaveLength(12);
    expect(result.tokensPerSecond).toBeGreaterThan(0);
    // The event loop ran while training did.
    expect(ticks).toBeGreaterThan(3);
    expect(reports.length).toBe(12);
    const last = reports.at(-1)!;
    expect(last).toMatchObject({ step: 12, totalSteps: 12 });
    expect(last.etaSeconds).toBe(0);
    expect(reports.filter((r) => r.checkpoint).map((r) => r.step)).toEqual([4, 8]);
    expect(reports[1]!.lr).toBeGreaterThan(last.lr); // warm-up peak, cosine down to lrMin
    expect(last.lr).toBeCloseTo(3e-4, 6);
    expect(existsSync(checkpointPath)).toBe(true);
    expect(existsSync(`${outPath}.tmp`)).toBe(false);

    const first = result.stepLoss[0]!;
    const finalLoss = result.finalLoss;
    expect(first).toBeGreaterThan(Math.log(2048) - 1);
    expect(finalLoss).toBeLessThan(first - 2);

    // The saved model learnt the labelled task: far lower loss on unseen sequences of it.
    const after = await addon.evaluateLoss({
      modelPath: outPath,
      data: held.data,
      labels: held.labels,
      nCtx,
    });
    expect(after.count).toBe(2 * nCtx);
    expect(after.meanLoss).toBeLessThan(before.meanLoss - 2);

    // A saved-and-reloaded model reports its parameters (models made in memory report 0).
    expect(addon.describeModel(outPath).nParams).toBeGreaterThan(0);
  });

  // llama.cpp never clears its gradient accumulators between steps (see native/src/gradientAccumulators.h):
  // without our reset, step k applies the sum of all k gradients. With plain SGD, a tiny rate and the
  // same sequence every step, each step must move the loss by the same amount, with one micro-batch
  // per step and with several accumulated.
  it.each([
    ["one micro-batch per step", nCtx],
    ["four accumulated micro-batches", nUbatch],
  ])("each step applies only its own gradient (%s)", async (_label, ubatch) => {
    const one = labelledSequences(1, 3);
    const repeated = (a: Int32Array): Int32Array => Int32Array.from([...a, ...a, ...a]);
    const data = repeated(one.data);
    const labels = repeated(one.labels);
    const loss = async (modelPath: string): Promise<number> =>
      (await addon.evaluateLoss({ modelPath, data: one.data, labels: one.labels, nCtx })).meanLoss;
    const losses = [await loss(initPath)];
    for (const steps of [1, 2, 3]) {
      const outPath = path.join(dir, `sgd-${ubatch}-${steps}.gguf`);
      await addon.train({
        modelPath: initPath,
        outPath,
        data,
        labels,
        nCtx,
        nUbatch: ubatch,
        maxSteps: steps,
        lr: 0.01,
        lrMin: 0.01,
        optimizer: "sgd",
        shuffle: false,
        trainable: "^output\\.weight$",
        adaptiveThreads: false,
      }).promise;
      losses.push(await loss(outPath));
    }
    const changes = [1, 2, 3].map((k) => losses[k]! - losses[k - 1]!);
    expect(changes[0]).toBeLessThan(0);
    // Accumulating gradients would give changes of 1x, 2x and 3x the first one.
    expect(changes[1]! / changes[0]!).toBeCloseTo(1, 1);
    expect(changes[2]! / changes[0]!).toBeCloseTo(1, 1);
  });

  it("cancel stops within a step, saves nothing, and resolves", async () => {
    const { data, labels } = labelledSequences(4, 5);
    const outPath = path.join(dir, "cancelled.gguf");
    const run = addon.train(
      { modelPath: initPath, outPath, data, labels, nCtx, nUbatch, epochs: 1000, progressIntervalMs: 0 },
      (p) => {
        if (p.step === 2) run.abort();
      },
    );
    const result = await run.promise;
    expect(result.cancelled).toBe(true);
    expect(result.outPath).toBeNull();
    expect(result.steps).toBeGreaterThanOrEqual(2);
    expect(result.steps).toBeLessThan(10);
    expect(existsSync(outPath)).toBe(false);
  });

  it("starts a model as a bigram model of given tokens (createModel bigramTokens)", async () => {
    // A stream with strong bigram structure: each token is mostly followed by a fixed successor.
    const stream = new Int32Array(60_000);
    let state = 11;
    let token = 300;
    for (let i = 0; i < stream.length; i++) {
      stream[i] = token;
      state = (state * 1103515245 + 12345) % 2147483648;
      token = state % 10 === 0 ? 300 + (state % 97) : 300 + (((token - 300) * 5 + 3) % 97);
    }
    const bigramPath = path.join(dir, "bigram.gguf");
    await addon.createModel({
      outPath: bigramPath,
      vocabPath: vocabularyPath("ggml-vocab-llama-spm.gguf"),
      nVocab: 2048,
      nEmbd: 128,
      nFf: 256,
      nLayer: 2,
      nHead: 2,
      nCtx,
      seed: 7,
      bigramTokens: stream.subarray(0, 50_000),
    });
    const held = {
      data: stream.subarray(50_000, 50_000 + 4 * nCtx),
      labels: stream.subarray(50_001, 50_001 + 4 * nCtx),
      nCtx,
    };
    const random = await addon.evaluateLoss({ modelPath: initPath, ...held });
    const bigram = await addon.evaluateLoss({ modelPath: bigramPath, ...held });
    // ~90% of successors are determined: a bigram start is far below even the unigram level (ln 97).
    expect(random.meanLoss).toBeGreaterThan(Math.log(2048) - 1);
    expect(bigram.meanLoss).toBeLessThan(Math.log(97) - 1.5);
    await expect(
      addon.createModel({
        outPath: path.join(dir, "bad.gguf"),
        vocabPath: vocabularyPath("ggml-vocab-llama-spm.gguf"),
        nVocab: 2048,
        bigramTokens: Int32Array.of(1, 5000),
      }),
    ).rejects.toThrow(/outside the vocabulary/);
  });

  it("refuses bad input before training", async () => {
    const { data, labels } = labelledSequences(1, 2);
    expect(() =>
      addon.train({ modelPath: initPath, data, labels: labels.subarray(1), nCtx, nUbatch }),
    ).toThrow(/same length/);
    expect(() => addon.train({ modelPath: initPath, data, labels, nCtx, nUbatch: 100 })).toThrow(
      /multiple of nUbatch/,
    );
    const outside = Int32Array.from(labels);
    outside[5] = 4096;
    await expect(
      addon.train({ modelPath: initPath, data, labels: outside, nCtx, nUbatch }).promise,
    ).rejects.toThrow(/outside the vocabulary/);
    await expect(
      addon.train({ modelPath: path.join(dir, "missing.gguf"), data, labels, nCtx, nUbatch }).promise,
    ).rejects.toThrow(/missing\.gguf/);
  });
});
