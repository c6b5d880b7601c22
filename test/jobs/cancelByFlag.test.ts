// Cancelling a native job mid-run ends it through the addon's abort flag, not by killing the worker:
// the queue here waits a whole minute before it would kill, so a job that ends within seconds was
// stopped by its own loop. Real queue, real worker processes, the reference model, real llama.cpp.
import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeDataDir, openHarness, removeDataDir, waitUntil, type Harness } from "./queueHarness.js";
import { referenceBuildTimeoutMs, referenceModel } from "../helpers/referenceModel.js";
import { planImatrix } from "../../src/core/quantize/planImatrix.js";
import { planLayers } from "../../src/core/quantize/planLayers.js";
import { planEvaluation } from "../../src/core/eval/planEvaluation.js";
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

function expectStoppedByFlag({ done, stopMs }: { done: Job; stopMs: number }): void {
  expect(done.state).toBe("cancelled");
  expect(stopMs).toBeLessThan(killAfterMs / 4);
  expect(done.error ?? "").not.toMatch(/killed/);
}

// Small chunks of the whole evaluation text: thousands of steps, each short, so the job is mid-run.
const many = { contextSize: 64, threads: 1 };

describe("cancel ends native jobs by the abort flag", () => {
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
