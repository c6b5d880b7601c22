// Startup after the app died: jobs left 'running' by a dead process become 'interrupted' (temp files
// deleted), queued ones are adopted and run; jobs of a process that is still alive are left alone.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ensureDataPaths } from "../../src/core/paths.js";
import { Store } from "../../src/core/store/Store.js";
import { insertJob } from "../../src/core/store/jobs.js";
import { makeDataDir, openHarness, removeDataDir, tempDirOf } from "./queueHarness.js";

const dataDir = makeDataDir();
afterAll(() => removeDataDir(dataDir));

/** The pid of a process that has exited (reuse within the test's few seconds is very unlikely). */
function deadPid(): number {
  return spawnSync(process.execPath, ["-e", ""]).pid;
}

describe("JobQueue startup recovery", () => {
  it("interrupts dead processes' running jobs, adopts their queued jobs and leaves live ones alone", async () => {
    const host = os.hostname();
    const store = Store.open(ensureDataPaths(dataDir).database);
    const at = new Date().toISOString();
    insertJob(store.db, {
      id: "legacy",
      kind: "debug.sleep",
      params: { seconds: 1 },
      owner: "x",
      createdAt: at,
    });
    insertJob(store.db, {
      id: "dead",
      kind: "debug.sleep",
      params: { seconds: 1 },
      owner: "x",
      createdAt: at,
    });
    insertJob(store.db, {
      id: "alive",
      kind: "debug.sleep",
      params: { seconds: 1 },
      owner: "x",
      createdAt: at,
    });
    insertJob(store.db, {
      id: "orphan",
      kind: "debug.sleep",
      params: { seconds: 0.2 },
      owner: `${host}/${deadPid()}/abcd`,
      createdAt: at,
    });
    const setRunning = store.db.prepare(
      "UPDATE jobs SET state = 'running', started_at = ?, owner = ? WHERE id = ?",
    );
    setRunning.run(at, null, "legacy"); // a row from before jobs had owners
    setRunning.run(at, `${host}/${deadPid()}/abcd`, "dead");
    setRunning.run(at, `${host}/${process.ppid}/abcd`, "alive"); // vitest's parent process is alive
    mkdirSync(tempDirOf(dataDir, "dead"), { recursive: true });
    writeFileSync(path.join(tempDirOf(dataDir, "dead"), "half.gguf"), "half-written");
    mkdirSync(tempDirOf(dataDir, "alive"), { recursive: true });
    mkdirSync(tempDirOf(dataDir, "long-gone"), { recursive: true });
    store.close();

    const h = await openHarness({ dataDir });
    try {
      const legacy = h.queue.get("legacy");
      expect(legacy.state).toBe("interrupted");
      expect(legacy.error).toBe("interrupted: the process running it stopped before it finished");
      const dead = h.queue.get("dead");
      expect(dead.state).toBe("interrupted");
      expect(dead.error).toMatch(
        /^interrupted: the process running it \(pid \d+\) stopped before it finished$/,
      );
      expect(existsSync(tempDirOf(dataDir, "dead"))).toBe(false);
      expect(existsSync(tempDirOf(dataDir, "long-gone"))).toBe(false);

      expect(h.queue.get("alive").state).toBe("running");
      expect(existsSync(tempDirOf(dataDir, "alive"))).toBe(true);

      const orphan = await h.queue.waitFor("orphan");
      expect(orphan.state).toBe("succeeded");
      expect(h.updates.some((u) => u.job.id === "dead" && u.job.state === "interrupted")).toBe(true);
    } finally {
      await h.close();
    }
  });
});
