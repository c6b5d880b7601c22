// The job queue with real worker processes (src/worker/main.ts under tsx) and a real SQLite file:
// progress and ETA, cancel within a second with nothing left behind, crash isolation, dependencies,
// the free-space check, and cancel requests from another queue sharing the database.
import { existsSync } from "node:fs";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import type { Job } from "../../src/shared/domain/job.js";
import { jobKinds } from "../../src/shared/protocol/jobKinds.js";
import { getJobRecord, listJobLogs } from "../../src/core/store/jobs.js";
import { runners } from "../../src/worker/runners/index.js";
import { writeTinyGguf } from "../helpers/gguf.js";
import {
  openHarness,
  processAlive,
  removeDataDir,
  tempDirOf,
  tmpEntries,
  waitUntil,
  type Harness,
} from "./queueHarness.js";

let h: Harness;
beforeAll(async () => {
  h = await openHarness();
});
afterAll(async () => {
  await h.close();
  removeDataDir(h.dataDir);
});
afterEach(() => {
  h.updates.length = 0;
});

function updatesOf(id: string): { at: number; job: Job }[] {
  return h.updates.filter((u) => u.job.id === id);
}

/** Waits until the worker of a running job has reported progress (it is past startup). */
async function waitForProgress(id: string, fraction = 0): Promise<number> {
  await waitUntil(
    () => ((h.queue.get(id).progress?.fraction ?? -1) > fraction ? true : undefined),
    30_000,
    `progress of ${id}`,
  );
  return h.queue.workerPid(id)!;
}

describe("JobQueue", () => {
  it("runs a job in a worker: queued → running with progress and an ETA → succeeded with its result", async () => {
    const job = h.queue.enqueue("debug.sleep", { seconds: 3 });
    expect(job.state).toBe("queued");
    const done = await h.queue.waitFor(job.id);

    expect(done.state).toBe("succeeded");
    expect(done.result).toMatchObject({ tempFileWritten: true });
    expect((done.result as { sleptSeconds: number }).sleptSeconds).toBeGreaterThanOrEqual(3);
    expect(done.progress).toEqual({ fraction: 1, step: "done", etaSeconds: 0 });
    expect(done.startedAt).not.toBeNull();
    expect(done.finishedAt! >= done.startedAt!).toBe(true);

    const updates = updatesOf(job.id);
    expect(updates[0]!.job.state).toBe("queued");
    expect(updates.at(-1)!.job.state).toBe("succeeded");
    const running = updates.filter((u) => u.job.state === "running" && u.job.progress);
    const fractions = running.map((u) => u.job.progress!.fraction!);
    expect(fractions.length).toBeGreaterThanOrEqual(5);
    expect([...fractions].sort((a, b) => a - b)).toEqual(fractions);
    // An ETA appears after a second of history and is roughly right (1.5 s left at 50 %).
    const halfway = running.find(
      (u) => u.job.progress!.fraction! >= 0.5 && u.job.progress!.etaSeconds !== null,
    );
    expect(halfway).toBeDefined();
    const { fraction, etaSeconds } = halfway!.job.progress!;
    expect(Math.abs(etaSeconds! - (1 - fraction!) * 3)).toBeLessThan(0.6);
    // Throttled: at most 4 progress writes per second (plus one for the final flush).
    const seconds = (running.at(-1)!.at - running[0]!.at) / 1000;
    expect(running.length).toBeLessThanOrEqual(Math.ceil(seconds * 4) + 2);
    // The persisted row matches what was announced, and the job's log went to job_logs.
    expect(getJobRecord(h.store.db, job.id)!.state).toBe("succeeded");
    expect(h.queue.logs(job.id).map((l) => l.message)).toContain("sleeping 3 s");
    // Nothing left in the temp folder.
    expect(tmpEntries(h.dataDir)).toEqual([]);
  });

  it("cancels a running job within a second: worker gone, temp file deleted", async () => {
    const job = h.queue.enqueue("debug.sleep", { seconds: 60 });
    const pid = await waitForProgress(job.id);
    expect(existsSync(path.join(tempDirOf(h.dataDir, job.id), "sleep.partial"))).toBe(true);

    const started = Date.now();
    const cancelled = await h.queue.cancel(job.id);
    const took = Date.now() - started;

    expect(cancelled.state).toBe("cancelled");
    expect(cancelled.error).toBe("cancelled by user");
    expect(took).toBeLessThan(1000);
    expect(processAlive(pid)).toBe(false);
    expect(existsSync(tempDirOf(h.dataDir, job.id))).toBe(false);
    console.log(`cancel → cancelled in ${took} ms (cooperative)`);
  });

  it("kills a worker that ignores the cancel after the grace period, still within a second", async () => {
    const job = h.queue.enqueue("debug.sleep", { seconds: 60, ignoreCancel: true });
    const pid = await waitForProgress(job.id);
    const started = Date.now();
    const cancelled = await h.queue.cancel(job.id);
    const took = Date.now() - started;

    expect(cancelled.state).toBe("cancelled");
    expect(took).toBeGreaterThanOrEqual(450);
    expect(took).toBeLessThan(1000);
    expect(processAlive(pid)).toBe(false);
    expect(existsSync(tempDirOf(h.dataDir, job.id))).toBe(false);
    expect(h.queue.logs(job.id).at(-1)!.message).toContain("signal SIGKILL");
    console.log(`cancel → cancelled in ${took} ms (SIGKILL after the grace period)`);
  });

  it("fails only the crashed job (abort, exit code, throw) and runs the next one", async () => {
    const abort = h.queue.enqueue("debug.sleep", { seconds: 0.4, crash: "abort" });
    const exit = h.queue.enqueue("debug.sleep", { seconds: 0.4, crash: "exit" });
    const thrown = h.queue.enqueue("debug.sleep", { seconds: 0.4, crash: "throw" });
    const after = h.queue.enqueue("debug.sleep", { seconds: 0.2 });

    const results = await Promise.all([abort, exit, thrown, after].map((j) => h.queue.waitFor(j.id)));
    const [aborted, exited, threw, survivor] = results;
    expect(aborted!.state).toBe("failed");
    expect(aborted!.error).toMatch(/^worker crashed: SIGABRT \(abort/);
    expect(exited!.state).toBe("failed");
    expect(exited!.error).toBe("worker exited with exit code 3");
    expect(threw!.state).toBe("failed");
    expect(threw!.error).toBe("debug.sleep crashed on purpose (throw)");
    expect(survivor!.state).toBe("succeeded");
    // FIFO with one at a time: each started after the previous one finished.
    for (let i = 1; i < results.length; i++)
      expect(results[i]!.startedAt! >= results[i - 1]!.finishedAt!).toBe(true);
    expect(tmpEntries(h.dataDir)).toEqual([]);
  });

  it("starts a dependent job only after its dependency succeeded, and cancels it when that fails", async () => {
    const first = h.queue.enqueue("debug.sleep", { seconds: 0.3 });
    const second = h.queue.enqueue("debug.sleep", { seconds: 0.1 }, { dependsOn: first.id });
    const failing = h.queue.enqueue("debug.sleep", { seconds: 0.2, crash: "exit" });
    const orphan = h.queue.enqueue("debug.sleep", { seconds: 0.1 }, { dependsOn: failing.id });
    const grandchild = h.queue.enqueue("debug.sleep", { seconds: 0.1 }, { dependsOn: orphan.id });

    const [a, b, c, d, e] = await Promise.all(
      [first, second, failing, orphan, grandchild].map((j) => h.queue.waitFor(j.id)),
    );
    expect(a!.state).toBe("succeeded");
    expect(b!.state).toBe("succeeded");
    expect(b!.dependsOn).toBe(first.id);
    expect(b!.startedAt! >= a!.finishedAt!).toBe(true);
    expect(c!.state).toBe("failed");
    expect(d!.state).toBe("cancelled");
    expect(d!.error).toBe(`cancelled: the job it depends on (${failing.id}, debug.sleep) failed`);
    expect(d!.startedAt).toBeNull();
    expect(e!.state).toBe("cancelled");
    expect(e!.error).toContain(`(${orphan.id}, debug.sleep) cancelled`);
  });

  it("refuses to start a job whose declared output does not fit on the disk", async () => {
    const job = h.queue.enqueue("debug.sleep", { seconds: 1, outputBytes: 10 ** 15 });
    const done = await h.queue.waitFor(job.id);
    expect(done.state).toBe("failed");
    expect(done.error).toMatch(
      new RegExp(
        `^not enough disk space in ${h.dataDir.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: the job needs about \\S+ \\S+ \\(plus 268 MB kept free\\) but only \\S+ \\S+ is available$`,
      ),
    );
    // No worker was started for it.
    expect(listJobLogs(h.store.db, job.id, 10).some((l) => l.message.startsWith("worker started"))).toBe(
      false,
    );
  });

  it("cancels a queued job at once and a running one through another queue on the same database", async () => {
    const running = h.queue.enqueue("debug.sleep", { seconds: 60 });
    const queued = h.queue.enqueue("debug.sleep", { seconds: 60 });
    const pid = await waitForProgress(running.id);

    // A second queue (as `cwb jobs cancel` in another process would open) shares the database.
    const other = await openHarness({ dataDir: h.dataDir, start: false });
    try {
      const cancelledQueued = await other.queue.cancel(queued.id);
      expect(cancelledQueued.state).toBe("cancelled");
      expect(cancelledQueued.startedAt).toBeNull();

      const started = Date.now();
      const cancelledRunning = await other.queue.cancel(running.id);
      expect(cancelledRunning.state).toBe("cancelled");
      expect(cancelledRunning.error).toBe("cancelled by user (from another process)");
      expect(Date.now() - started).toBeLessThan(1500);
      expect(processAlive(pid)).toBe(false);
    } finally {
      other.store.close();
    }
  });

  it("retries a job as a new job with the same kind and parameters", async () => {
    const failed = await h.queue.waitFor(h.queue.enqueue("debug.sleep", { seconds: 0.1, crash: "exit" }).id);
    const retry = h.queue.retry(failed.id);
    expect(retry.id).not.toBe(failed.id);
    expect(retry).toMatchObject({ kind: "debug.sleep", params: failed.params, state: "queued" });
    expect((await h.queue.waitFor(retry.id)).state).toBe("failed");
    expect(() => h.queue.retry(h.queue.enqueue("debug.sleep", { seconds: 0 }).id)).toThrow(
      /only a finished job can be retried/,
    );
  });

  it("refuses unknown kinds and invalid parameters before queueing anything", () => {
    const before = h.queue.list(1000).length;
    // @ts-expect-error an unknown kind does not compile; off the wire it is refused at run time
    expect(() => h.queue.enqueue("no.such.kind", {})).toThrow(/Unknown job kind "no.such.kind"/);
    expect(() => h.queue.enqueue("debug.sleep", { seconds: -1 })).toThrow(
      /Invalid parameters for job kind debug.sleep: seconds/,
    );
    expect(() => h.queue.enqueue("debug.sleep", { seconds: 1 }, { dependsOn: "nope" })).toThrow(
      /no job with id nope/,
    );
    expect(h.queue.list(1000).length).toBe(before);
  });

  it("imports a model in a worker and records it in the parent's database", async () => {
    // A queue that writes every progress report: a tiny file is read and hashed within one
    // 250 ms progress interval, so the default queue may show only its last step.
    const h = await openHarness({ progressIntervalMs: 0 });
    onTestFinished(async () => {
      await h.close();
      removeDataDir(h.dataDir);
    });
    const updatesOf = (id: string): { at: number; job: Job }[] => h.updates.filter((u) => u.job.id === id);
    const file = path.join(h.dataDir, "tiny.gguf");
    const tiny = writeTinyGguf(file);
    const job = h.queue.enqueue("models.import", { path: file });
    const done = await h.queue.waitFor(job.id);

    expect(done.error).toBeNull();
    expect(done.state).toBe("succeeded");
    const result = done.result as {
      model: { id: string; sha256: string; sizeBytes: number; path: string };
      alreadyPresent: boolean;
    };
    expect(result.alreadyPresent).toBe(false);
    expect(result.model.sizeBytes).toBe(tiny.sizeBytes);
    expect(result.model.path).toBe(file);
    const row = h.store.db.prepare("SELECT sha256 FROM models WHERE id = ?").get(result.model.id) as {
      sha256: string;
    };
    expect(row.sha256).toBe(result.model.sha256);
    expect(h.modelsChanged).toContainEqual({ id: result.model.id });
    expect(updatesOf(job.id).some((u) => u.job.progress?.step.startsWith("hashing"))).toBe(true);

    const again = await h.queue.waitFor(h.queue.enqueue("models.import", { path: file }).id);
    expect((again.result as { alreadyPresent: boolean }).alreadyPresent).toBe(true);
  });

  it("fails an import of a file that is not a model, with the library's words", async () => {
    const done = await h.queue.waitFor(
      h.queue.enqueue("models.import", { path: path.join(h.dataDir, "missing.gguf") }).id,
    );
    expect(done.state).toBe("failed");
    expect(done.error).toBe(`${path.join(h.dataDir, "missing.gguf")}: no such file`);
  });

  it("has a worker runner for every job kind in the protocol", () => {
    expect(Object.keys(runners).sort()).toEqual(Object.keys(jobKinds).sort());
  });
});
