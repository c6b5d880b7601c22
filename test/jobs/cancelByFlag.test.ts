// Cancelling a native job mid-run ends it through the addon's abort flag, not by killing the worker
// (quantization, importance matrix, layer scan, evaluation here; bench in test/bench/benchJob.test.ts):
// the queue here waits a whole minute before it would kill, so a job that ends within seconds was
// stopped by its own loop. Real queue, real worker processes, the reference model, real llama.cpp.
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeDataDir, openHarness, removeDataDir, waitUntil, type Harness } from "./queueHarness.js";
import { referenceBuildTimeoutMs, referenceModel } from "../helpers/referenceModel.js";
import { planImatrix } from "../../src/core/quantize/planImatrix.js";
import { planLayers } from "../../src/core/quantize/planLayers.js";
import { planEvaluation } from "../../src/core/eval/planEvaluation.js";
import { planQuantize } from "../../src/core/quantize/planQuantize.js";
import { makeRandomModel } from "../quantize/fixtures.js";
import type { JobKind } from "../../src/shared/protocol/jobKinds.js";
import type { Job } from "../../src/shared/domain/job.js";

const killAfterMs = 60_000;
let dataDir: string;
let harness: Harness;
let modelPath: string;
let textPath: string;

beforeAll(async () => {
  const reference = await referenceModel();
  modelPath = reference.modelPath;
  textPath = reference.evalText.path;
  dataDir = makeDataDir();
  harness = await openHarness({ dataDir, cancelGraceMs: killAfterMs });
}, referenceBuildTimeoutMs);
afterAll(async () => {
  await harness.close();
  removeDataDir(dataDir);
});

/** Starts the job, cancels it once its native loop has reported progress, and times the stop. */
async function cancelMidRun(kind: JobKind, params: unknown): Promise<{ done: Job; stopMs: number }> {
  const job = harness.queue.enqueue(kind, params as never);
  await waitUntil(
    () => harness.updates.find((u) => u.job.id === job.id && (u.job.progress?.fraction ?? 0) > 0),
    120_000,
    `${kind} to make progress`,
  );
  const cancelled = Date.now();
  await harness.queue.cancel(job.id);
  const done = await harness.queue.waitFor(job.id);
  return { done, stopMs: Date.now() - cancelled };
}

/**
 * Each job below needs 20 s or more when it is not cancelled (measured here: quantization 21 s,
 * imatrix 36 s, layer scan 45 s, evaluation 36 s), so a stop within a few seconds is the native
 * loop obeying the flag, neither the kill nor the work running out.
 */
const stopBoundMs = 5_000;

function expectStoppedByFlag({ done, stopMs }: { done: Job; stopMs: number }): void {
  expect(done.state).toBe("cancelled");
  expect(stopMs).toBeLessThan(stopBoundMs);
  expect(done.error ?? "").not.toMatch(/killed/);
}

// Small chunks of the whole evaluation text: thousands of steps, each short, so the job is mid-run.
const many = { contextSize: 64, threads: 1 };

describe("cancel ends native jobs by the abort flag", () => {
  it("quantization: stops before the next tensor, leaves no output", async () => {
    // IQ3_S of a 64-block model on one thread: about 20 s, over hundreds of tensors.
    const model = await makeRandomModel(path.join(dataDir, "random-f32.gguf"), { layers: 64, seed: 5 });
    const out = path.join(dataDir, "never.gguf");
    const params = await planQuantize(harness.store.db, dataDir, { model, type: "IQ3_S", threads: 1, out });
    expectStoppedByFlag(await cancelMidRun("quantize", params));
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(path.dirname(out)).filter((file) => file.includes("never"))).toEqual([]);
  }, 180_000);

  it("importance matrix: stops between chunks, writes no file", async () => {
    const params = await planImatrix(harness.store.db, dataDir, {
      model: modelPath,
      text: textPath,
      settings: { ...many, batchSize: 64 },
      out: null,
    });
    const run = await cancelMidRun("imatrix", params);
    expectStoppedByFlag(run);
    expect(existsSync(params.outPath)).toBe(false);
  }, 180_000);

  it("layer importance scan", async () => {
    const params = await planLayers(harness.store.db, dataDir, {
      model: modelPath,
      text: textPath,
      settings: { ...many, chunks: 100_000 },
    });
    expectStoppedByFlag(await cancelMidRun("layers", params));
  }, 180_000);

  it("evaluation", async () => {
    const params = await planEvaluation(harness.store.db, {
      base: modelPath,
      variants: [],
      textPath,
      settings: { ...many, batchSize: 64 },
    });
    expectStoppedByFlag(await cancelMidRun("eval", params));
  }, 180_000);
});
