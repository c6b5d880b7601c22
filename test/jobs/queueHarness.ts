// A real job queue on a fresh data dir with a real SQLite file, recording every "jobs.updated"
// event, for the job tests. Workers are real child processes running src/worker/main.ts via tsx.
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Job } from "../../src/shared/domain/job.js";
import { JobQueue, type JobQueueOptions } from "../../src/core/jobs/JobQueue.js";
import { ensureDataPaths } from "../../src/core/paths.js";
import { EventBus } from "../../src/core/rpc/eventBus.js";
import { Store } from "../../src/core/store/Store.js";

export interface Harness {
  dataDir: string;
  store: Store;
  events: EventBus;
  queue: JobQueue;
  /** Every jobs.updated payload, in order, with the time it was emitted. */
  updates: { at: number; job: Job }[];
  /** Every models.changed payload. */
  modelsChanged: unknown[];
  close(): Promise<void>;
}

export function makeDataDir(): string {
  return mkdtempSync(path.join(os.tmpdir(), "cwb-jobs-"));
}

export async function openHarness(
  options: Partial<JobQueueOptions> & { dataDir?: string; start?: boolean } = {},
): Promise<Harness> {
  const dataDir = options.dataDir ?? makeDataDir();
  const paths = ensureDataPaths(dataDir);
  const store = Store.open(paths.database);
  const events = options.events ?? new EventBus();
  const updates: Harness["updates"] = [];
  const modelsChanged: unknown[] = [];
  events.subscribe((topic, payload) => {
    if (topic === "jobs.updated") updates.push({ at: Date.now(), job: payload as Job });
    else modelsChanged.push(payload);
  });
  const queue = new JobQueue({ ...options, db: store.db, dataDir, events });
  if (options.start ?? true) await queue.start();
  return {
    dataDir,
    store,
    events,
    queue,
    updates,
    modelsChanged,
    async close() {
      await queue.close();
      store.close();
    },
  };
}

export function removeDataDir(dataDir: string): void {
  rmSync(dataDir, { recursive: true, force: true });
}

export function tempDirOf(dataDir: string, jobId: string): string {
  return path.join(dataDir, "tmp", `job-${jobId}`);
}

export function tmpEntries(dataDir: string): string[] {
  const tmp = path.join(dataDir, "tmp");
  return existsSync(tmp) ? readdirSync(tmp) : [];
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Polls until `check` returns a value (not undefined) or the timeout passes. */
export async function waitUntil<T>(
  check: () => T | undefined,
  timeoutMs = 30_000,
  what = "condition",
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
