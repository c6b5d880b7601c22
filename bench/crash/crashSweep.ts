// Kills the process that owns a sweep (SIGKILL) at seeded random moments, restarts it, and checks
// after every kill that nothing was lost or half-left (crashChecks.ts): the database passes
// integrity_check, every model and finished step recorded before is still there, every registered
// model file is whole, no unregistered file sits in the models or artifacts folder, and once any
// command has opened the queue no step of the experiment is left queued or running. At the end the sweep runs to completion, and running
// it again must reuse every result (no new model file).
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { dataPaths } from "../../src/core/paths.js";
import { Store } from "../../src/core/store/Store.js";
import { seededRandom } from "../../src/core/bench/randomTokens.js";
import { check, cwbBin, repoRoot, runCwb, type Snapshot } from "./crashChecks.js";

export interface CrashSweepOptions {
  kills: number;
  seed: number;
  dataDir: string;
  /** `cwb sweep MODEL --types …` arguments (without --data-dir). */
  sweepArgs: readonly string[];
  /**
   * A quarter of the kills land in the start-up (hashing the input, migrating, planning), drawn from
   * [minDelayMs, startupMaxMs] after the process starts; the rest land [0, maxDelayMs] after the first
   * step this process runs started. Anchoring on a step, not on the clock, keeps kills inside the
   * sweep on a fast machine too, since every restart resumes with less left to do.
   */
  minDelayMs?: number;
  startupMaxMs?: number;
  maxDelayMs?: number;
  onKill?: (report: KillReport) => void;
}

export interface KillReport {
  index: number;
  /** Milliseconds after `anchor`: the process's start, or the start of its first step. */
  delayMs: number;
  anchor: "start" | "step";
  /** What the killed process was doing: the steps running at the kill, or "starting"/"finished". */
  during: string;
  problems: string[];
}

export interface CrashSweepResult {
  kills: KillReport[];
  /** Problems found after the final run and the re-run. */
  finalProblems: string[];
  /** How many kills landed after the sweep had finished (the process was already gone). */
  finishedBeforeKill: number;
}

/** Resolves when `child` has a step running (polled from the database), or when it exits. */
async function firstStepRunning(dataDir: string, exited: Promise<unknown>): Promise<void> {
  let done = false;
  void exited.then(() => (done = true));
  while (!done) {
    const state = runningSteps(dataDir);
    if (state !== "starting" && state !== "between steps") return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function runningSteps(dataDir: string): string {
  if (!existsSync(dataPaths(dataDir).database)) return "starting";
  try {
    const store = Store.open(dataPaths(dataDir).database, { readonly: true });
    try {
      const rows = store.db.prepare("SELECT kind FROM jobs WHERE state = 'running'").all() as {
        kind: string;
      }[];
      return rows.length > 0 ? rows.map((r) => r.kind).join("+") : "between steps";
    } finally {
      store.close();
    }
  } catch {
    return "starting";
  }
}

export async function runCrashSweep(options: CrashSweepOptions): Promise<CrashSweepResult> {
  const random = seededRandom(options.seed);
  const minDelay = options.minDelayMs ?? 300;
  const startupMax = options.startupMaxMs ?? 1500;
  const maxDelay = options.maxDelayMs ?? 1500;
  const kills: KillReport[] = [];
  let before: Snapshot | null = null;
  let finishedBeforeKill = 0;

  for (let index = 0; index < options.kills; index++) {
    const inStartup = random() < 0.25;
    const delayMs = inStartup
      ? Math.round(minDelay + random() * (startupMax - minDelay))
      : Math.round(random() * maxDelay);
    const child = spawn(process.execPath, [cwbBin, "--data-dir", options.dataDir, ...options.sweepArgs], {
      cwd: repoRoot,
      env: { ...process.env, CWB_DATA_DIR: "" },
      stdio: ["ignore", "ignore", "ignore"],
    });
    const exited = new Promise<number | null>((resolve) => child.once("close", (code) => resolve(code)));
    const finished = await Promise.race([
      exited.then(() => true),
      (inStartup ? Promise.resolve() : firstStepRunning(options.dataDir, exited)).then(
        () => new Promise<false>((resolve) => setTimeout(() => resolve(false), delayMs)),
      ),
    ]);
    let during = "finished";
    if (!finished) {
      during = runningSteps(options.dataDir);
      child.kill("SIGKILL");
      await exited;
    } else finishedBeforeKill++;
    // Any command that opens the queue marks the dead owner's steps interrupted.
    await runCwb(options.dataDir, ["--json", "jobs", "list"]);
    const { problems, now } = check(options.dataDir, before);
    before = now;
    const report: KillReport = { index, delayMs, anchor: inStartup ? "start" : "step", during, problems };
    kills.push(report);
    options.onKill?.(report);
  }

  const finalProblems: string[] = [];
  const completed = await runCwb(options.dataDir, ["--json", ...options.sweepArgs]);
  if (completed.code !== 0)
    finalProblems.push(`final sweep exited ${completed.code}: ${completed.stderr.slice(-500)}`);
  const afterRun = check(options.dataDir, before);
  finalProblems.push(...afterRun.problems);
  const rerun = await runCwb(options.dataDir, ["--json", ...options.sweepArgs]);
  if (rerun.code !== 0) finalProblems.push(`re-run exited ${rerun.code}: ${rerun.stderr.slice(-500)}`);
  const afterRerun = check(options.dataDir, afterRun.now);
  finalProblems.push(...afterRerun.problems);
  const newModels = [...afterRerun.now.models.keys()].filter((id) => !afterRun.now.models.has(id));
  if (newModels.length > 0)
    finalProblems.push(`the re-run made ${newModels.length} new model(s) instead of reusing`);
  return { kills, finalProblems, finishedBeforeKill };
}
