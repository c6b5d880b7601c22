// The bench job through the real queue and a real worker (src/worker/main.ts under tsx): cancelling
// it mid-measurement stops the worker and records no run. The model is written here (a tiny llama
// GGUF), so this test needs nothing built by others.
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeTinyGguf } from "../helpers/gguf.js";
import { makeDataDir, openHarness, removeDataDir, waitUntil, type Harness } from "../jobs/queueHarness.js";
import { listRuns } from "../../src/core/store/runs.js";
import { benchSettings, type BenchSettingsInput } from "../../src/shared/domain/bench.js";

let dataDir: string;
let harness: Harness;
let modelPath: string;

beforeAll(async () => {
  dataDir = makeDataDir();
  modelPath = path.join(dataDir, "tiny.gguf");
  writeTinyGguf(modelPath, { layers: 2 });
  harness = await openHarness({ dataDir });
});
afterAll(async () => {
  await harness.close();
  removeDataDir(dataDir);
});

/** Starts a bench, cancels it once a progress step starts with `step`, and returns the finished job. */
async function cancelAtStep(settings: BenchSettingsInput, step: string, timeoutMs: number) {
  const job = harness.queue.enqueue("bench", {
    model: { modelId: "not-recorded", path: modelPath },
    settings: benchSettings.parse({ ...settings, bandwidth: false }),
  });
  await waitUntil(
    () => harness.updates.find((u) => u.job.id === job.id && u.job.progress?.step.startsWith(step)),
    timeoutMs,
    `the bench to reach "${step}"`,
  );
  const cancelled = Date.now();
  await harness.queue.cancel(job.id);
  const done = await harness.queue.waitFor(job.id);
  return { done, cancelMs: Date.now() - cancelled };
}

describe("bench job", () => {
  it("can be cancelled while it measures, leaving no run behind", async () => {
    // Far more repetitions than could finish before the cancel.
    const { done } = await cancelAtStep(
      { reps: 1000, promptLengths: [256], generateTokens: 8, generationPromptTokens: 8 },
      "node-llama-cpp prompt 256 tokens",
      120_000,
    );
    expect(done.state).toBe("cancelled");
    expect(listRuns(harness.store.db)).toEqual([]);
    // Progress was reported as a fraction with a step in words.
    const progressed = harness.updates.filter((u) => u.job.id === done.id && u.job.progress);
    expect(progressed.some((u) => (u.job.progress?.fraction ?? 0) > 0)).toBe(true);
  }, 180_000);

  it("can be cancelled during the llama-bench-method loops in the addon", async () => {
    const { done, cancelMs } = await cancelAtStep(
      {
        reps: 300,
        promptLengths: [256],
        generateTokens: 64,
        generationPromptTokens: 8,
        warmLoads: 0,
        // node-llama-cpp's own generation at 2 threads on 2 cores crawls (docs/bench.md).
        threads: 1,
      },
      "llama-bench method: pp256",
      170_000,
    );
    expect(done.state).toBe("cancelled");
    // Stopped by the abort flag inside llama_decode, well before the kill deadline.
    expect(cancelMs).toBeLessThan(5_000);
    expect(listRuns(harness.store.db)).toEqual([]);
  }, 180_000);

  it("fails with a clear message for a file that is not a model", async () => {
    const settings = benchSettings.parse({ reps: 1, bandwidth: false });
    const job = harness.queue.enqueue("bench", {
      model: { modelId: "x", path: path.join(dataDir, "nope.gguf") },
      settings,
    });
    const done = await harness.queue.waitFor(job.id);
    expect(done.state).toBe("failed");
    expect(done.error).toMatch(/nope\.gguf/);
    expect(listRuns(harness.store.db)).toEqual([]);
  }, 120_000);
});
