// Multi-step work as a persistent job graph (core/jobs/JobGraph.ts), with real SQLite, a real queue
// and real workers (debug.sleep): the graph survives the queue closing mid-run, the experiment shows
// as interrupted, and resuming runs only the steps left, in the same experiment; a step's parameters
// can come from the result of the step it waited for; retrying a step re-runs it through the graph;
// cancelling cancels the graph.
import { afterAll, describe, expect, it } from "vitest";
import type { Job } from "../../src/shared/domain/job.js";
import { experimentState, type StepHookRegistry } from "../../src/core/jobs/JobGraph.js";
import { insertExperiment } from "../../src/core/store/experiments.js";
import { listExperimentJobRecords } from "../../src/core/store/jobs.js";
import type { Db } from "../../src/core/store/Store.js";
import { makeDataDir, openHarness, removeDataDir, waitUntil } from "./queueHarness.js";

const dataDirs: string[] = [];
afterAll(() => dataDirs.forEach(removeDataDir));

/** Sleeps twice as long as the step it waited for slept. */
const steps: StepHookRegistry = {
  "test.double": {
    params: (_input, dependencies) => {
      const slept = (dependencies[0]?.result as { sleptSeconds: number } | null)?.sleptSeconds;
      return slept === undefined ? { skip: "nothing to double" } : { params: { seconds: slept * 2 } };
    },
  },
  /** Waits only to run after its dependencies, however they ended (as a sweep's chained benchmarks). */
  "test.after": {
    tolerateFailedDependencies: true,
    tolerateCancelledDependencies: true,
    params: () => ({ params: { seconds: 0.1 } }),
  },
};

function newExperiment(db: Db): string {
  return insertExperiment(db, { name: "graph", kind: "test", recipe: {} }).id;
}

const stateOf = (db: Db, id: string) => experimentState(listExperimentJobRecords(db, id));

describe("job graphs", () => {
  it("survive the queue closing mid-run; resume runs only the steps left, in the same experiment", async () => {
    const dataDir = makeDataDir();
    dataDirs.push(dataDir);
    const first = await openHarness({ dataDir, steps });
    const experimentId = newExperiment(first.store.db);
    const [a, b, c] = first.queue.enqueueGraph(experimentId, [
      { key: "a", kind: "debug.sleep", params: { seconds: 0.1 } },
      { key: "b", kind: "debug.sleep", params: { seconds: 0.4 }, dependsOn: ["a"] },
      { key: "c", kind: "debug.sleep", hook: { name: "test.double", input: null }, dependsOn: ["b"] },
    ]) as [Job, Job, Job];
    // Every step is a row from the start, before any has run.
    expect(listExperimentJobRecords(first.store.db, experimentId).map((r) => [r.stepKey, r.state])).toEqual([
      ["a", "queued"],
      ["b", "queued"],
      ["c", "queued"],
    ]);
    expect(c.params).toBeNull(); // built when it starts
    await waitUntil(() => (first.queue.get(b.id).state === "running" ? true : undefined));
    expect(stateOf(first.store.db, experimentId)).toBe("running");
    await first.close();

    const second = await openHarness({ dataDir, steps });
    try {
      const db = second.store.db;
      expect(second.queue.get(a.id).state).toBe("succeeded");
      expect(second.queue.get(b.id).state).toBe("interrupted");
      // Queued by a queue that is gone: nothing will run it, so it is interrupted, not queued forever.
      expect(second.queue.get(c.id).state).toBe("interrupted");
      expect(stateOf(db, experimentId)).toBe("interrupted");

      const resumed = second.queue.resumeGraph(experimentId);
      expect(resumed.map((j) => [j.stepKey, j.experimentId])).toEqual([
        ["b", experimentId],
        ["c", experimentId],
      ]);
      // The resumed b waits for the a that already succeeded; a is not run again.
      expect(resumed[0]!.dependsOn).toBe(a.id);
      const ended = await Promise.all(resumed.map((j) => second.queue.waitFor(j.id)));
      expect(ended.map((j) => j.state)).toEqual(["succeeded", "succeeded"]);
      // c's parameters came from the resumed b's result.
      const slept = (ended[0]!.result as { sleptSeconds: number }).sleptSeconds;
      expect(slept).toBeGreaterThanOrEqual(0.4);
      expect(ended[1]!.params).toEqual({ seconds: slept * 2 });
      expect(listExperimentJobRecords(db, experimentId).filter((r) => r.stepKey === "a")).toHaveLength(1);
      expect(stateOf(db, experimentId)).toBe("succeeded");
      expect(second.queue.resumeGraph(experimentId)).toEqual([]);
    } finally {
      await second.close();
    }
  }, 60_000);

  it("retrying a step that never started goes through the graph: it and the steps it needs that did not succeed", async () => {
    const dataDir = makeDataDir();
    dataDirs.push(dataDir);
    const first = await openHarness({ dataDir, steps });
    const experimentId = newExperiment(first.store.db);
    const [a, b, c, d] = first.queue.enqueueGraph(experimentId, [
      { key: "a", kind: "debug.sleep", params: { seconds: 0.1 } },
      { key: "b", kind: "debug.sleep", params: { seconds: 0.4 }, dependsOn: ["a"] },
      { key: "c", kind: "debug.sleep", hook: { name: "test.double", input: null }, dependsOn: ["b"] },
      { key: "d", kind: "debug.sleep", params: { seconds: 0.1 }, dependsOn: ["c"] },
    ]) as [Job, Job, Job, Job];
    await waitUntil(() => (first.queue.get(b.id).state === "running" ? true : undefined));
    await first.close();

    const second = await openHarness({ dataDir, steps });
    try {
      const db = second.store.db;
      // c never started: its parameters were never built, so its row has none to copy.
      expect(second.queue.get(c.id)).toMatchObject({ state: "interrupted", params: null });
      const retried = second.queue.retry(c.id);
      expect(retried).toMatchObject({ stepKey: "c", experimentId });
      const queued = listExperimentJobRecords(db, experimentId).filter((r) => r.state === "queued");
      // b did not succeed, so it runs again first; a did and is not run again; d (which needs c) is left alone.
      expect(queued.map((r) => r.stepKey)).toEqual(["b", "c"]);
      expect(queued[0]!.needs).toEqual([a.id]);
      const ended = await Promise.all(queued.map((r) => second.queue.waitFor(r.id)));
      expect(ended.map((j) => j.state)).toEqual(["succeeded", "succeeded"]);
      const slept = (ended[0]!.result as { sleptSeconds: number }).sleptSeconds;
      expect(ended[1]!.params).toEqual({ seconds: slept * 2 });
      expect(second.queue.get(d.id).state).toBe("interrupted");
      expect(stateOf(db, experimentId)).toBe("interrupted");
      // A step that succeeded since is not retried; resuming runs what is left: d.
      expect(() => second.queue.retry(c.id)).toThrow(/step c of its experiment succeeded/);
      const resumed = second.queue.resumeGraph(experimentId);
      expect(resumed.map((j) => j.stepKey)).toEqual(["d"]);
      expect((await second.queue.waitFor(resumed[0]!.id)).state).toBe("succeeded");
      expect(stateOf(db, experimentId)).toBe("succeeded");
    } finally {
      await second.close();
    }
  }, 60_000);

  it("cancelling a step cancels its dependents; cancelling the experiment cancels the whole graph", async () => {
    const h = await openHarness({ steps, concurrency: 2 });
    dataDirs.push(h.dataDir);
    try {
      const db = h.store.db;
      const one = newExperiment(db);
      const [a, b, c, d] = h.queue.enqueueGraph(one, [
        { key: "a", kind: "debug.sleep", params: { seconds: 30 } },
        { key: "b", kind: "debug.sleep", params: { seconds: 0.1 }, dependsOn: ["a"] },
        { key: "c", kind: "debug.sleep", hook: { name: "test.double", input: null }, dependsOn: ["b"] },
        { key: "d", kind: "debug.sleep", params: { seconds: 0.1 } },
      ]) as [Job, Job, Job, Job];
      await waitUntil(() => (h.queue.get(a.id).state === "running" ? true : undefined));
      await h.queue.cancel(a.id);
      const [, endedB, endedC, endedD] = await Promise.all([a, b, c, d].map((j) => h.queue.waitFor(j.id)));
      expect(endedB!.state).toBe("cancelled");
      expect(endedC!.state).toBe("cancelled");
      expect(endedD!.state).toBe("succeeded"); // it did not depend on a
      expect(stateOf(db, one)).toBe("cancelled");

      const two = newExperiment(db);
      const jobs = h.queue.enqueueGraph(two, [
        { key: "x", kind: "debug.sleep", params: { seconds: 30 } },
        { key: "y", kind: "debug.sleep", params: { seconds: 30 } },
        { key: "z", kind: "debug.sleep", params: { seconds: 0.1 }, dependsOn: ["x", "y"] },
        { key: "w", kind: "debug.sleep", params: { seconds: 30 } },
      ]);
      await waitUntil(() => (h.queue.get(jobs[1]!.id).state === "running" ? true : undefined));
      const cancelled = await h.queue.cancelExperiment(two);
      expect(cancelled.map((j) => j.state)).toEqual(["cancelled", "cancelled", "cancelled", "cancelled"]);
      expect(
        listExperimentJobRecords(db, two).filter((r) => r.state === "queued" || r.state === "running"),
      ).toEqual([]);
      expect(stateOf(db, two)).toBe("cancelled");
      // A cancelled experiment resumes: every step again, as none succeeded.
      const resumed = h.queue.resumeGraph(two);
      expect(resumed.map((j) => j.stepKey)).toEqual(["x", "y", "z", "w"]);
      expect(stateOf(db, two)).toBe("running");
      await h.queue.cancelExperiment(two);
    } finally {
      await h.close();
    }
  }, 60_000);

  it("runs a step that tolerates cancelled dependencies after one of them was cancelled", async () => {
    const h = await openHarness({ steps });
    dataDirs.push(h.dataDir);
    try {
      const [first, next] = h.queue.enqueueGraph(newExperiment(h.store.db), [
        { key: "first", kind: "debug.sleep", params: { seconds: 30 } },
        { key: "next", kind: "debug.sleep", hook: { name: "test.after", input: null }, dependsOn: ["first"] },
      ]) as [Job, Job];
      await waitUntil(() => (h.queue.get(first.id).state === "running" ? true : undefined));
      await h.queue.cancel(first.id);
      expect((await h.queue.waitFor(next.id))!.state).toBe("succeeded");
    } finally {
      await h.close();
    }
  }, 60_000);

  it("refuses a plan whose steps point at steps it does not have, writing none of it", async () => {
    const h = await openHarness({ steps });
    dataDirs.push(h.dataDir);
    try {
      const id = newExperiment(h.store.db);
      expect(() =>
        h.queue.enqueueGraph(id, [
          { key: "a", kind: "debug.sleep", params: { seconds: 0.1 } },
          { key: "b", kind: "debug.sleep", params: { seconds: 0.1 }, dependsOn: ["nope"] },
        ]),
      ).toThrow(/graph step b: no earlier step nope/);
      expect(listExperimentJobRecords(h.store.db, id)).toEqual([]);
    } finally {
      await h.close();
    }
  });
});
