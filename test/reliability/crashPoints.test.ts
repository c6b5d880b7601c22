// The CI slice of `npm run bench:crash -- --points all`: the process kills itself (SIGKILL) at named
// moments (src/core/crashPoint.ts) that random kills never reach, then restarts. The points are the
// ones that found defects (an output linked into place but not recorded: a quantized model, the
// base model's cached distribution that then blocked every evaluation; a copy left beside the
// target; a variant re-made after a kill before its finish; an export's bundle) and one inside a
// SQLite transaction. After each: nothing lost or left over, and the command finishes (with reuse).
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, expect, it } from "vitest";
import { runCrashPoints } from "../../bench/crash/crashPoints.js";
import { crashSweepArgs } from "../../bench/crash/crashSweepArgs.js";
import { referenceModel, referenceBuildTimeoutMs } from "../helpers/referenceModel.js";
import { assertBuilt } from "../helpers/servedApp.js";

const workDir = mkdtempSync(path.join(os.tmpdir(), "cwb-crash-points-"));
const shmDir = mkdtempSync(path.join("/dev/shm", "cwb-crash-points-"));
afterAll(() => {
  rmSync(workDir, { recursive: true, force: true });
  rmSync(shmDir, { recursive: true, force: true });
});

it(
  "loses nothing and leaves no unrecorded output when killed at the commit and record windows",
  async () => {
    assertBuilt();
    const ref = await referenceModel("quick");
    // One type: the second output moved into place is the base model's cached distribution.
    const sweepArgs = crashSweepArgs(ref.modelPath, ref.evalText.path).map((a) =>
      a.includes(",") ? "Q8_0" : a,
    );
    const outcomes = await runCrashPoints(
      [
        "sweep/commit.linked:2",
        "sweep/record.in-transaction:2",
        "sweep/job.before-finish",
        "sweep-copy/commit.copied",
        "export/job.before-finish",
      ],
      { modelPath: ref.modelPath, calibrationTextPath: ref.calibrationText.path, sweepArgs, workDir, shmDir },
    );
    expect(outcomes.map((o) => `${o.id}: ${o.reached}; ${o.problems.join("; ") || "ok"}`)).toEqual([
      "sweep/commit.linked:2: killed; ok",
      "sweep/record.in-transaction:2: killed; ok",
      "sweep/job.before-finish: killed; ok",
      "sweep-copy/commit.copied: killed; ok",
      "export/job.before-finish: killed; ok",
    ]);
  },
  referenceBuildTimeoutMs,
);
