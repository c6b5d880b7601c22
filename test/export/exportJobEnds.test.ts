// How an export.bundle job ends when it does not succeed, through the real job queue and worker
// processes: cancelled mid-write, its worker killed mid-write, or the app gone while it ran (the next
// start removes the stale staging folder); and a destination too small for the model refused before
// anything is written, with the folder and the bytes named. The slow path is honest: a tiny model
// with hundreds of layers split one tensor per shard, thousands of files written.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundleStagingPath } from "../../src/core/export/bundlePaths.js";
import { planExport } from "../../src/core/export/planExport.js";
import { ensureDataPaths } from "../../src/core/paths.js";
import { Store } from "../../src/core/store/Store.js";
import { insertJob } from "../../src/core/store/jobs.js";
import type { ExportBundleParamsInput } from "../../src/shared/domain/exportBundle.js";
import type { Job } from "../../src/shared/domain/job.js";
import { writeTinyGguf } from "../helpers/gguf.js";
import {
  makeDataDir,
  openHarness,
  processAlive,
  removeDataDir,
  waitUntil,
  type Harness,
} from "../jobs/queueHarness.js";

const work = mkdtempSync(path.join(os.tmpdir(), "cwb-export-ends-"));
const dataDir = makeDataDir();
let model = "";
let h: Harness;

beforeAll(async () => {
  model = writeTinyGguf(path.join(work, "many-layers.gguf"), { layers: 400, weights: "F32" }).path;
  h = await openHarness({ dataDir });
}, 120_000);
afterAll(async () => {
  await h.close();
  removeDataDir(dataDir);
  rmSync(work, { recursive: true, force: true });
});

/** What is left beside `out`: the bundle itself or any staging folder of it. */
function leftovers(out: string): string[] {
  const name = path.basename(out);
  return readdirSync(path.dirname(out)).filter((entry) => entry === name || entry.startsWith(`.${name}.`));
}

async function plan(out: string): Promise<ExportBundleParamsInput> {
  return planExport(h.store.db, {
    model,
    outPath: out,
    split: { by: "tensors", maxTensors: 1 },
    contextLength: null,
    deviceId: null,
  });
}

/** Waits until the job has written part of the bundle: progress above zero and the staging folder there. */
async function writing(job: Job, out: string): Promise<number> {
  return waitUntil(
    () => {
      const fraction = h.queue.get(job.id).progress?.fraction ?? 0;
      const pid = h.queue.workerPid(job.id);
      const staged = existsSync(bundleStagingPath(out, job.id));
      return fraction > 0 && fraction < 0.9 && staged && pid ? pid : undefined;
    },
    60_000,
    "the export to be part-written",
  );
}

describe("export.bundle that does not finish", () => {
  it("cancelled mid-write leaves neither the bundle nor its staging folder", async () => {
    const out = path.join(work, "cancelled");
    const job = h.queue.enqueue("export.bundle", await plan(out));
    const pid = await writing(job, out);
    const cancelled = await h.queue.cancel(job.id);
    expect(cancelled.state).toBe("cancelled");
    await waitUntil(() => (processAlive(pid) ? undefined : true), 5000, "the worker to exit");
    expect(leftovers(out)).toEqual([]);
  }, 180_000);

  it("with its worker killed mid-write leaves neither the bundle nor its staging folder", async () => {
    const out = path.join(work, "killed");
    const job = h.queue.enqueue("export.bundle", await plan(out));
    const pid = await writing(job, out);
    process.kill(pid, "SIGKILL");
    const ended = await h.queue.waitFor(job.id);
    expect(ended.state).toBe("failed");
    expect(ended.error).toMatch(/SIGKILL/);
    expect(leftovers(out)).toEqual([]);
  }, 180_000);

  it("running when the app died: the next start removes its stale staging folder", async () => {
    const crashedData = makeDataDir();
    const out = path.join(work, "crashed");
    const store = Store.open(ensureDataPaths(crashedData).database);
    const params = await planExport(store.db, {
      model,
      outPath: out,
      split: null,
      contextLength: null,
      deviceId: null,
    });
    const at = new Date().toISOString();
    insertJob(store.db, { id: "crashed", kind: "export.bundle", params, owner: "x", createdAt: at });
    const deadPid = spawnSync(process.execPath, ["-e", ""]).pid;
    store.db
      .prepare("UPDATE jobs SET state = 'running', started_at = ?, owner = ? WHERE id = ?")
      .run(at, `${os.hostname()}/${deadPid}/abcd`, "crashed");
    store.close();
    const staging = bundleStagingPath(out, "crashed");
    mkdirSync(path.join(staging, "models"), { recursive: true });

    const restarted = await openHarness({ dataDir: crashedData });
    try {
      expect(restarted.queue.get("crashed")?.state).toBe("interrupted");
      expect(existsSync(staging)).toBe(false);
      expect(leftovers(out)).toEqual([]);
    } finally {
      await restarted.close();
      removeDataDir(crashedData);
    }
  }, 60_000);

  it("refuses a destination with too little space before writing, naming the folder and the bytes", async () => {
    const small = path.join(work, "small-disk");
    mkdirSync(small);
    const mount = spawnSync("mount", ["-t", "tmpfs", "-o", "size=4m", "tmpfs", small], { encoding: "utf8" });
    if (mount.status !== 0) {
      console.warn(`skipped: mounting a 4 MiB tmpfs was refused (${mount.stderr.trim()})`);
      return;
    }
    try {
      const out = path.join(small, "bundle");
      const job = h.queue.enqueue("export.bundle", await plan(out));
      const ended = await h.queue.waitFor(job.id);
      expect(ended.state).toBe("failed");
      expect(ended.errorDetail?.code).toBe("DISK_FULL");
      expect(ended.error).toMatch(
        new RegExp(
          `^not enough disk space in ${small}: the job needs about [\\d.]+ MB .* only [\\d.]+ MB is available`,
        ),
      );
      expect(readdirSync(small)).toEqual([]);
    } finally {
      spawnSync("umount", [small]);
    }
  }, 60_000);
});
