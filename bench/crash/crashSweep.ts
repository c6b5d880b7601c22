// Kills the process that owns a sweep (SIGKILL) at seeded random moments, restarts it, and checks
// after every kill that nothing was lost or half-left: the database passes integrity_check, every
// model and finished step recorded before is still there, every registered model file is whole, no
// unregistered file sits in the models folder, and once any command has opened the queue no step
// of the experiment is left queued or running. At the end the sweep runs to completion, and running
// it again must reuse every result (no new model file).
import { spawn } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { dataPaths } from "../../src/core/paths.js";
import { Store } from "../../src/core/store/Store.js";
import { seededRandom } from "../../src/core/bench/randomTokens.js";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const cwbBin = path.join(repoRoot, "bin", "cwb.js");

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

interface Snapshot {
  models: Map<string, { path: string; sizeBytes: number }>;
  succeededJobs: Set<string>;
  experiments: Set<string>;
}

function runCwb(
  dataDir: string,
  args: readonly string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cwbBin, "--data-dir", dataDir, ...args], {
      cwd: repoRoot,
      env: { ...process.env, CWB_DATA_DIR: "" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (c: string) => (stdout += c));
    child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
    child.once("close", (code) => resolve({ code, stdout, stderr }));
  });
}

function snapshot(dataDir: string): Snapshot & { integrity: string; activeJobs: string[] } {
  const store = Store.open(dataPaths(dataDir).database, { readonly: true });
  try {
    const db = store.db;
    const integrity = (db.prepare("PRAGMA integrity_check").all() as { integrity_check: string }[])
      .map((r) => r.integrity_check)
      .join("; ");
    const models = new Map(
      (
        db.prepare("SELECT id, path, size_bytes AS sizeBytes FROM models").all() as {
          id: string;
          path: string;
          sizeBytes: number;
        }[]
      ).map((m) => [m.id, { path: m.path, sizeBytes: m.sizeBytes }]),
    );
    const succeededJobs = new Set(
      (db.prepare("SELECT id FROM jobs WHERE state = 'succeeded'").all() as { id: string }[]).map(
        (r) => r.id,
      ),
    );
    const experiments = new Set(
      (db.prepare("SELECT id FROM experiments").all() as { id: string }[]).map((r) => r.id),
    );
    const activeJobs = (
      db.prepare("SELECT kind FROM jobs WHERE state IN ('queued', 'running')").all() as { kind: string }[]
    ).map((r) => r.kind);
    return { integrity, models, succeededJobs, experiments, activeJobs };
  } finally {
    store.close();
  }
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

/** Problems with the data dir against what an earlier snapshot recorded. */
function check(dataDir: string, before: Snapshot | null): { problems: string[]; now: Snapshot } {
  const problems: string[] = [];
  const now = snapshot(dataDir);
  if (now.integrity !== "ok") problems.push(`integrity_check: ${now.integrity}`);
  if (now.activeJobs.length > 0)
    problems.push(`jobs left queued/running after restart: ${now.activeJobs.join(", ")}`);
  if (before) {
    for (const id of before.models.keys()) if (!now.models.has(id)) problems.push(`model ${id} lost`);
    for (const id of before.succeededJobs)
      if (!now.succeededJobs.has(id)) problems.push(`finished job ${id} lost`);
    for (const id of before.experiments) if (!now.experiments.has(id)) problems.push(`experiment ${id} lost`);
  }
  const registered = new Set<string>();
  for (const [id, model] of now.models) {
    registered.add(path.resolve(model.path));
    const size = existsSync(model.path) ? statSync(model.path).size : -1;
    if (size !== model.sizeBytes)
      problems.push(`model ${id}: file ${model.path} has ${size} bytes, recorded ${model.sizeBytes}`);
  }
  const modelsDir = dataPaths(dataDir).models;
  if (existsSync(modelsDir)) {
    for (const name of readdirSync(modelsDir)) {
      const file = path.resolve(modelsDir, name);
      if (!registered.has(file)) problems.push(`unregistered file left in the models folder: ${name}`);
    }
  }
  return { problems, now };
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
