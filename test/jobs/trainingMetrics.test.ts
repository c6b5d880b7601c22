// The training metrics stream with a real worker process and a real SQLite file: the worker's points
// arrive as "jobs.metrics" events holding only new points, the whole series is kept with the job, a
// screen that asks mid-run gets every point so far, and merging a repeated batch changes nothing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getJobRecord } from "../../src/core/store/jobs.js";
import {
  appendTrainingMetrics,
  emptyTrainingMetrics,
  type TrainingMetrics,
  type TrainingMetricsUpdate,
} from "../../src/shared/domain/trainingMetrics.js";
import { openHarness, removeDataDir, waitUntil, type Harness } from "./queueHarness.js";

let h: Harness;
const events: { at: number; update: TrainingMetricsUpdate }[] = [];
beforeAll(async () => {
  h = await openHarness();
  h.events.subscribe((topic, payload) => {
    if (topic === "jobs.metrics") events.push({ at: Date.now(), update: payload as TrainingMetricsUpdate });
  });
});
afterAll(async () => {
  await h.close();
  removeDataDir(h.dataDir);
});

describe("training metrics stream", () => {
  it("announces new points only, keeps the series with the job and hands it to a late subscriber", async () => {
    const job = h.queue.enqueue("debug.sleep", { seconds: 2, trainingPoints: true });
    const mine = () => events.filter((e) => e.update.jobId === job.id);

    // Mid-run, a screen that opens now fetches the history: every point announced so far is in it.
    await waitUntil(() => (mine().reduce((n, e) => n + e.update.train.length, 0) >= 8 ? true : undefined));
    const announcedBefore = mine().flatMap((e) => e.update.train.map((p) => p.step));
    const history = h.queue.metrics(job.id);
    expect(h.queue.get(job.id).state).toBe("running");
    const historySteps = history.train.map((p) => p.step);
    for (const step of announcedBefore) expect(historySteps).toContain(step);
    expect(history.heldout.length).toBeGreaterThanOrEqual(1);
    expect(history.totalSteps).toBe(40);

    // It then appends the events; a batch it already has changes nothing.
    let screen: TrainingMetrics = history;
    const seen = mine().length;
    const done = await h.queue.waitFor(job.id);
    expect(done.state).toBe("succeeded");
    for (const e of mine()) screen = appendTrainingMetrics(screen, e.update);
    expect(appendTrainingMetrics(screen, mine()[0]!.update)).toEqual(screen);

    // Each point crossed once, in step order, batched (fewer events than points, rate-limited).
    const all = mine().flatMap((e) => e.update.train.map((p) => p.step));
    expect(new Set(all).size).toBe(all.length);
    expect(all).toEqual([...all].sort((a, b) => a - b));
    expect(all[0]).toBe(1);
    expect(all.length).toBeGreaterThanOrEqual(20);
    expect(mine().length).toBeLessThan(all.length / 3);
    expect(mine().length).toBeGreaterThan(seen);
    const gaps = mine()
      .slice(1)
      .map((e, i) => e.at - mine()[i]!.at);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(200);

    // The stored series is the whole run, and it is what the screen assembled from history + events.
    const stored = h.queue.metrics(job.id);
    expect(stored.train.map((p) => p.step)).toEqual(all);
    expect(stored.train.every((p, i) => p.loss === 1 / (i + 1) && p.tokensPerSecond === 1000)).toBe(true);
    expect(stored.heldout.map((p) => p.step)).toEqual(all.filter((s) => s % 4 === 0));
    expect(screen).toEqual(stored);

    // The job itself (what jobs.updated carries) stays small: no series in it.
    expect(done.progress).toEqual({ fraction: 1, step: "done", etaSeconds: 0 });
    expect(JSON.stringify(done)).not.toContain("heldout");
    expect(getJobRecord(h.store.db, job.id)!.metrics).toEqual(stored);
  });

  it("gives an empty series for a job that reports none", async () => {
    const job = h.queue.enqueue("debug.sleep", { seconds: 0.2 });
    await h.queue.waitFor(job.id);
    expect(h.queue.metrics(job.id)).toEqual(emptyTrainingMetrics);
  });
});

describe("appendTrainingMetrics", () => {
  it("appends in step order, skips steps it has, keeps the known total", () => {
    const a = appendTrainingMetrics(emptyTrainingMetrics, {
      totalSteps: 10,
      train: [
        { step: 2, loss: 2, tokensPerSecond: null },
        { step: 1, loss: 1, tokensPerSecond: null },
      ],
      heldout: [],
    });
    const b = appendTrainingMetrics(a, {
      train: [
        { step: 2, loss: 99, tokensPerSecond: null },
        { step: 3, loss: 3, tokensPerSecond: 5 },
      ],
      heldout: [],
    });
    expect(b.totalSteps).toBe(10);
    expect(b.train).toEqual([
      { step: 1, loss: 1, tokensPerSecond: null },
      { step: 2, loss: 2, tokensPerSecond: null },
      { step: 3, loss: 3, tokensPerSecond: 5 },
    ]);
  });
});
