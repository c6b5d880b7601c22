// The CI slice of `npm run bench:crash`: a sweep of the quick reference model killed with SIGKILL 5
// times at seeded random moments (in the start-up or inside a step) and restarted; after every kill the database is intact, nothing
// recorded is lost, no file is half-left, no step stays queued or running; then the sweep finishes
// and running it again reuses every result.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, expect, it } from "vitest";
import { runCrashSweep } from "../../bench/crash/crashSweep.js";
import { crashSweepArgs } from "../../bench/crash/crashSweepArgs.js";
import { referenceModel, referenceBuildTimeoutMs } from "../helpers/referenceModel.js";
import { assertBuilt } from "../helpers/servedApp.js";

const dataDir = mkdtempSync(path.join(os.tmpdir(), "cwb-crash-slice-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

it(
  "loses nothing and leaves nothing half-written across 5 kills of the process owning a sweep",
  async () => {
    assertBuilt();
    const ref = await referenceModel("quick");
    const result = await runCrashSweep({
      kills: 5,
      seed: 5,
      dataDir,
      sweepArgs: crashSweepArgs(ref.modelPath, ref.evalText.path),
    });
    expect(result.kills.flatMap((k) => k.problems.map((p) => `kill ${k.index} (${k.during}): ${p}`))).toEqual(
      [],
    );
    expect(result.finalProblems).toEqual([]);
    // The seed puts most kills inside the sweep, not after it finished.
    expect(result.finishedBeforeKill).toBeLessThan(3);
  },
  referenceBuildTimeoutMs,
);
