// "Build llama.cpp for this machine", cancelled mid-compile: the real job through the real queue and
// worker, node-llama-cpp's real source build of the bundled llama.cpp. The compile reports progress
// from the compiler's counter; a cancel stops the whole process group (no cmake, ninja or compiler
// left running), ends the job as cancelled well within the queue's kill grace, and leaves no
// unfinished build folder or lock behind. The full build takes many minutes on two cores, so it is
// measured as a benchmark (docs/bench.md), not here. Extra cmake options give this build a folder
// of its own, so a finished machine build on the same installation is never touched.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeDataDir, openHarness, removeDataDir, waitUntil, type Harness } from "../jobs/queueHarness.js";
import { localBuildsDir } from "../../scripts/llamaBackends.js";

const killAfterMs = 60_000;
let dataDir: string;
let harness: Harness;

beforeAll(async () => {
  dataDir = makeDataDir();
  harness = await openHarness({ dataDir, cancelGraceMs: killAfterMs });
});
afterAll(async () => {
  await harness.close();
  removeDataDir(dataDir);
});

/** Command lines of this machine's processes that work inside node-llama-cpp's local build folder. */
function processesInLocalBuilds(): string[] {
  if (process.platform !== "linux") return [];
  const found: string[] = [];
  for (const pid of readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
    try {
      const command = readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
      if (command.includes("localBuilds")) found.push(`${pid}: ${command.slice(0, 160)}`);
    } catch {
      // The process ended while being read.
    }
  }
  return found;
}

function unfinishedBuilds(): string[] {
  const dir = localBuildsDir();
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter(
    (name) => name.endsWith(".lock") || !existsSync(path.join(dir, name, "buildDone.status")),
  );
}

describe("llama.build", () => {
  it("reports compile progress, and a cancel stops the compile and removes the unfinished build", async () => {
    const job = harness.queue.enqueue("llama.build", {
      rebuild: true,
      extraCmakeOptions: { CWB_CANCEL_TEST: "1" },
    });
    const compiling = await waitUntil(
      () =>
        harness.updates.find(
          (u) =>
            u.job.id === job.id &&
            (u.job.progress?.fraction ?? 0) > 0 &&
            u.job.progress?.step.startsWith("compiling llama.cpp"),
        ),
      600_000,
      "the compile to report progress",
    );
    expect(compiling.job.progress!.fraction).toBeLessThan(0.9);
    expect(processesInLocalBuilds().length).toBeGreaterThan(0);

    const cancelled = Date.now();
    await harness.queue.cancel(job.id);
    const done = await harness.queue.waitFor(job.id);
    expect(done.state).toBe("cancelled");
    expect(Date.now() - cancelled).toBeLessThan(15_000);
    expect(done.error ?? "").not.toMatch(/killed/);
    await waitUntil(
      () => (processesInLocalBuilds().length === 0 ? true : undefined),
      10_000,
      "the compile to end",
    );
    expect(unfinishedBuilds()).toEqual([]);
  }, 720_000);
});
