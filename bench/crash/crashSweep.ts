// Kills the process that owns a sweep (SIGKILL) at seeded random moments, restarts it, and checks
// after every kill that nothing was lost or half-left (crashChecks.ts): the database passes
// integrity_check, every model and finished step recorded before is still there, every registered
// model file is whole, no unregistered file sits in the models or artifacts folder, and once any
// command has opened the queue no step of the experiment is left queued or running. At the end the sweep runs to completion, and running
// it again must reuse every result (no new model file).
import { spawn } from "node:child_process";
import path from "node:path";
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
   * [minDelayMs, startupMaxMs] after the process starts; the rest land [0, maxDelayMs] after a step
   * this process runs started (the first, or one of the first stepSpread). Anchoring on a step, not on the clock, keeps kills inside the
   * sweep on a fast machine too, since every restart resumes with less left to do.
   */
  minDelayMs?: number;
  startupMaxMs?: number;
  maxDelayMs?: number;
  /**
   * In-step kills wait for a step of one kind to start, drawn from the kinds the sweep has left to
   * do (quantize, eval), so kills reach the evaluation too; and once the sweep has finished, the next
   * kills start it again in a fresh data dir (a new round) instead of landing after its end.
   * Default false: the first step of each process, one sweep (the CI slice).
   */
  spreadOverSteps?: boolean;
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
  /** How many times the sweep was started afresh after finishing (spreadOverSteps). */
  rounds: number;
}

/** Resolves when a step (of `kind`, when given) is running in the child, or when the child exits. */
async function stepRunning(dataDir: string, kind: string | null, exited: Promise<unknown>): Promise<void> {
  let done = false;
  void exited.then(() => (done = true));
  while (!done) {
    const running = runningSteps(dataDir).split("+");
    if (kind ? running.includes(kind) : running[0] !== "starting" && running[0] !== "between steps") return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The kinds of steps not yet done, once the sweep has planned them ([] before it has). */
function kindsLeft(dataDir: string): string[] {
  if (!existsSync(dataPaths(dataDir).database)) return [];
  try {
    const store = Store.open(dataPaths(dataDir).database, { readonly: true });
    try {
      const rows = store.db
        .prepare("SELECT DISTINCT kind FROM jobs WHERE state != 'succeeded' AND experiment_id IS NOT NULL")
        .all() as { kind: string }[];
      return rows.map((r) => r.kind).sort();
    } finally {
      store.close();
    }
  } catch {
    return [];
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

  let dataDir = options.dataDir;
  let rounds = 1;
  for (let index = 0; index < options.kills; index++) {
    const inStartup = random() < 0.25;
    const left = options.spreadOverSteps ? kindsLeft(dataDir) : [];
    const anchorKind = left.length > 0 ? left[Math.floor(random() * left.length)]! : null;
    const delayMs = inStartup
      ? Math.round(minDelay + random() * (startupMax - minDelay))
      : Math.round(random() * maxDelay);
    const child = spawn(process.execPath, [cwbBin, "--data-dir", dataDir, ...options.sweepArgs], {
      cwd: repoRoot,
      env: { ...process.env, CWB_DATA_DIR: "" },
      stdio: ["ignore", "ignore", "ignore"],
    });
    const exited = new Promise<number | null>((resolve) => child.once("close", (code) => resolve(code)));
    const finished = await Promise.race([
      exited.then(() => true),
      (inStartup ? Promise.resolve() : stepRunning(dataDir, anchorKind, exited)).then(
        () => new Promise<false>((resolve) => setTimeout(() => resolve(false), delayMs)),
      ),
    ]);
    let during = "finished";
    if (!finished) {
      during = runningSteps(dataDir);
      child.kill("SIGKILL");
      await exited;
    } else finishedBeforeKill++;
    // Any command that opens the queue marks the dead owner's steps interrupted.
    await runCwb(dataDir, ["--json", "jobs", "list"]);
    const { problems, now } = check(dataDir, before);
    before = now;
    if (finished && options.spreadOverSteps && index < options.kills - 1) {
      // The sweep is done: the next kills need work to land in.
      dataDir = path.join(options.dataDir, `round-${++rounds}`);
      before = null;
    }
    const report: KillReport = { index, delayMs, anchor: inStartup ? "start" : "step", during, problems };
    kills.push(report);
    options.onKill?.(report);
  }

  const finalProblems: string[] = [];
  const completed = await runCwb(dataDir, ["--json", ...options.sweepArgs]);
  if (completed.code !== 0)
    finalProblems.push(`final sweep exited ${completed.code}: ${completed.stderr.slice(-500)}`);
  const afterRun = check(dataDir, before);
  finalProblems.push(...afterRun.problems);
  const rerun = await runCwb(dataDir, ["--json", ...options.sweepArgs]);
  if (rerun.code !== 0) finalProblems.push(`re-run exited ${rerun.code}: ${rerun.stderr.slice(-500)}`);
  const afterRerun = check(dataDir, afterRun.now);
  finalProblems.push(...afterRerun.problems);
  const newModels = [...afterRerun.now.models.keys()].filter((id) => !afterRun.now.models.has(id));
  if (newModels.length > 0)
    finalProblems.push(`the re-run made ${newModels.length} new model(s) instead of reusing`);
  return { kills, finalProblems, finishedBeforeKill, rounds };
}
