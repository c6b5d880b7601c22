// The "train" job end to end through the real queue and a worker process: an F16 model (unpacked
// to F32 for the optimizer) trained on a State of the Union text, written as F16 at the requested
// path, and a trained file that scores the text better than the model it started from.
import { readFileSync, statSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { trainJobResult } from "../../src/shared/domain/training.js";
import { loadNative } from "../../src/worker/native/loadAddon.js";
import type { CwbNativeAddon } from "../../src/worker/native/AddonTypes.js";
import { vocabularyPath } from "../../src/core/reference/vocabularySource.js";
import { nextTokenWindows } from "../../src/core/reference/tokenWindows.js";
import { writeEvalText } from "../eval/evalText.js";
import { openHarness, removeDataDir, type Harness } from "../jobs/queueHarness.js";

let h: Harness;
let addon: CwbNativeAddon;
let modelPath: string;
let textPath: string;

beforeAll(async () => {
  // Every progress message becomes an event: a short training run can otherwise finish inside one
  // persistence interval, and its step lines would be coalesced away before the test sees them.
  h = await openHarness({ progressIntervalMs: 0 });
  ({ addon } = await loadNative());
  modelPath = path.join(h.dataDir, "start-f16.gguf");
  await addon.createModel({
    outPath: modelPath,
    vocabPath: vocabularyPath("ggml-vocab-llama-spm.gguf"),
    name: "train-job-test",
    nVocab: 2048,
    nEmbd: 128,
    nFf: 256,
    nLayer: 2,
    nHead: 2,
    nCtx: 256,
    type: "f16",
  });
  textPath = writeEvalText(h.dataDir, 40_000, 1990);
}, 120_000);

afterAll(async () => {
  await h?.close();
  if (h) removeDataDir(h.dataDir);
});

it("trains a model on a text and writes it as F16, never over an existing file", async () => {
  const outPath = path.join(h.dataDir, "out", "trained.gguf");
  const queued = h.queue.enqueue("train", {
    modelPath,
    textPath,
    outPath,
    settings: { contextSize: 256, microBatch: 64, steps: 16, lr: 5e-3, lrMin: 5e-4, warmupSteps: 2 },
  });
  const job = await h.queue.waitFor(queued.id);
  expect(job.error).toBeNull();
  expect(job.state).toBe("succeeded");
  const result = trainJobResult.parse(job.result);
  expect(result.outPath).toBe(outPath);
  expect(result.steps).toBe(16);
  expect(result.tokens).toBe(16 * 256);
  expect(result.finalLoss).toBeLessThan(result.firstLoss - 0.4);
  expect(statSync(outPath).size).toBe(result.sizeBytes);
  expect(
    h.updates.some((u) => u.job.id === queued.id && /step \d+\/16, loss/.test(u.job.progress?.step ?? "")),
  ).toBe(true);
  // The loss curve is kept with the job for the Jobs screen: every step, even those that shared a
  // progress report, with throughput.
  const series = h.queue.metrics(queued.id);
  expect(series.totalSteps).toBe(16);
  expect(series.train.map((p) => p.step)).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
  expect(series.train.every((p) => p.tokensPerSecond! > 0 && Number.isFinite(p.loss))).toBe(true);
  expect(series.train.at(-1)!.loss).toBeLessThan(series.train[0]!.loss);

  // Same size as the F16 input, and better on the text than the untrained start.
  expect(result.sizeBytes).toBe(statSync(modelPath).size);
  const { llama } = await loadNative();
  const vocab = await llama.loadModel({ modelPath, vocabOnly: true });
  const windows = nextTokenWindows(vocab.tokenize(readFileSync(textPath, "utf8")), 256);
  await vocab.dispose();
  const sample = {
    data: windows.data.subarray(0, 4 * 256),
    labels: windows.labels.subarray(0, 4 * 256),
    nCtx: 256,
  };
  const before = await addon.evaluateLoss({ modelPath, ...sample });
  const after = await addon.evaluateLoss({ modelPath: outPath, ...sample });
  expect(after.meanLoss).toBeLessThan(before.meanLoss - 0.4);

  // A second job to the same path fails without touching the first file.
  const again = await h.queue.waitFor(
    h.queue.enqueue("train", {
      modelPath,
      textPath,
      outPath,
      settings: { contextSize: 256, microBatch: 64, steps: 1 },
    }).id,
  );
  expect(again.state).toBe("failed");
  expect(again.error).toMatch(/already exists/);
  expect(statSync(outPath).size).toBe(result.sizeBytes);
}, 600_000);
