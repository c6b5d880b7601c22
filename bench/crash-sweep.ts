// npm run bench:crash -- --kills 50 [--seed S] [--max-delay-ms 1500] [--work DIR]
// Kills the process owning a sweep of the quick reference model with SIGKILL at seeded random
// moments, restarts it, and checks integrity, losses and leftovers after each kill (crash/crashSweep.ts).
// Prints one line per kill and a summary; exits 1 on any problem.
// npm run bench:crash -- --points all|ID,ID… [--work DIR]
// Instead kills at each named crash point (crash/crashPoints.ts) and prints point -> outcome.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { referenceModel } from "../test/helpers/referenceModel.js";
import { allCrashPoints, runCrashPoints } from "./crash/crashPoints.js";
import { runCrashSweep } from "./crash/crashSweep.js";
import { crashSweepArgs } from "./crash/crashSweepArgs.js";

const { values } = parseArgs({
  options: {
    kills: { type: "string", default: "50" },
    seed: { type: "string", default: "1" },
    "max-delay-ms": { type: "string", default: "1500" },
    work: { type: "string" },
    points: { type: "string" },
  },
});
if (values.points !== undefined) await runPoints(values.points);
else await runKills();

async function runKills(): Promise<void> {
  const kills = Number(values.kills);
  if (!Number.isInteger(kills) || kills < 1)
    throw new Error(`--kills ${values.kills}: expected a positive integer`);
  const ref = await referenceModel("quick");
  const dataDir = values.work ?? mkdtempSync(path.join(os.tmpdir(), "cwb-crash-"));
  const started = performance.now();
  const result = await runCrashSweep({
    kills,
    seed: Number(values.seed),
    dataDir,
    maxDelayMs: Number(values["max-delay-ms"]),
    // Kills anchored on every kind of step left, the evaluation included; a finished sweep starts again.
    spreadOverSteps: true,
    sweepArgs: crashSweepArgs(ref.modelPath, ref.evalText.path),
    onKill(report) {
      const elapsed = (performance.now() - started) / 1000;
      const eta = (elapsed / (report.index + 1)) * (kills - report.index - 1);
      console.log(
        `kill ${String(report.index + 1).padStart(3)}/${kills} after ${String(report.delayMs).padStart(5)} ms after ${report.anchor.padEnd(5)} during ${report.during.padEnd(16)} ${report.problems.length === 0 ? "ok" : report.problems.join("; ")}  (ETA ${Math.round(eta)} s)`,
      );
    },
  });
  const during = new Map<string, number>();
  for (const k of result.kills) during.set(k.during, (during.get(k.during) ?? 0) + 1);
  const problems = result.kills.reduce((n, k) => n + k.problems.length, 0) + result.finalProblems.length;
  console.log(
    `\n${kills} kills (seed ${values.seed}) in ${dataDir}, ${((performance.now() - started) / 1000).toFixed(0)} s`,
  );
  console.log(`killed during: ${[...during].map(([k, n]) => `${k} ${n}`).join(", ")}`);
  console.log(`sweeps: ${result.rounds} (each finished one started again in a fresh data dir)`);
  console.log(
    `final run and re-run: ${result.finalProblems.length === 0 ? "ok, the re-run reused every result" : result.finalProblems.join("; ")}`,
  );
  console.log(`problems: ${problems}`);
  process.exitCode = problems > 0 ? 1 : 0;
}

async function runPoints(list: string): Promise<void> {
  const ids = list === "all" ? allCrashPoints : list.split(",");
  const unknown = ids.filter((id) => !allCrashPoints.includes(id));
  if (unknown.length > 0)
    throw new Error(`--points: unknown ${unknown.join(", ")}; known: all, ${allCrashPoints.join(", ")}`);
  const ref = await referenceModel("quick");
  const workDir = values.work ?? mkdtempSync(path.join(os.tmpdir(), "cwb-crash-points-"));
  const shmDir = mkdtempSync(path.join("/dev/shm", "cwb-crash-"));
  const started = performance.now();
  const width = Math.max(...ids.map((id) => id.length));
  console.log(`${"point".padEnd(width)}  reached      time  outcome`);
  const outcomes = await runCrashPoints(
    ids,
    {
      modelPath: ref.modelPath,
      calibrationTextPath: ref.calibrationText.path,
      sweepArgs: crashSweepArgs(ref.modelPath, ref.evalText.path),
      workDir,
      shmDir,
    },
    (o, index) => {
      const eta = ((performance.now() - started) / 1000 / (index + 1)) * (ids.length - index - 1);
      console.log(
        `${o.id.padEnd(width)}  ${o.reached.padEnd(11)} ${o.seconds.toFixed(0).padStart(4)} s  ${o.problems.length === 0 ? "ok" : o.problems.join("; ")}  (ETA ${Math.round(eta)} s)`,
      );
    },
  );
  rmSync(shmDir, { recursive: true, force: true });
  const failed = outcomes.filter((o) => o.problems.length > 0 || o.reached === "not reached");
  console.log(
    `\n${outcomes.length} points in ${((performance.now() - started) / 1000).toFixed(0)} s (${workDir}): ${failed.length} with problems or not reached`,
  );
  process.exitCode = failed.length > 0 ? 1 : 0;
}
