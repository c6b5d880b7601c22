// Kills at named moments (src/core/crashPoint.ts): for each point, a fresh data dir, the command run
// with CWB_CRASH_AT=<point> so the process SIGKILLs itself exactly there, a restart (`cwb jobs list`
// opens the queue and recovers), the checks of crashChecks.ts, the command run again to the end and,
// for a sweep, once more to prove it reuses every result. Random timing cannot reach these windows:
// between an output's link and its record, inside a SQLite transaction, inside a rename.
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync } from "node:fs";
import path from "node:path";
import { dataPaths } from "../../src/core/paths.js";
import { check, runCwb, snapshot, type CheckOptions, type CwbExit } from "./crashChecks.js";

export interface CrashPointInputs {
  modelPath: string;
  calibrationTextPath: string;
  /** `cwb sweep MODEL …` arguments (crashSweepArgs.ts). */
  sweepArgs: readonly string[];
  /** Where the data dirs go; the one on another filesystem (for the copy path) goes to shmDir. */
  workDir: string;
  shmDir?: string;
}

interface Scenario {
  /** Prepares the data dir; returns a reason to skip, or undefined. */
  setup?(dataDir: string, inputs: CrashPointInputs): Promise<string | undefined>;
  args(dataDir: string, inputs: CrashPointInputs): string[];
  /** Unrecorded outputs and what may be there once the command succeeded. */
  outputs?(dataDir: string): { dir: string; final: string };
  /** Running it again must add no model and no artifact. */
  rerunReuses: boolean;
  points: readonly string[];
}

const sweep: Scenario = {
  args: (_dataDir, inputs) => [...inputs.sweepArgs],
  rerunReuses: true,
  points: [
    "graph.in-transaction",
    "commit.before-link",
    "commit.linked",
    "record.before",
    // The first record is the base model's import; the second a variant with its lineage.
    "record.in-transaction",
    "record.in-transaction:2",
    "job.before-finish",
    "runs.in-transaction",
    // The fourth output the sweep moves into place: the base model's cached distribution (eval).
    "commit.linked:4",
  ],
};

/** Two chunks of 128 tokens: enough for a whole matrix in a second. */
const smallImatrix = ["--ctx", "128", "--chunks", "2", "--threads", "2"];

const scenarios: Record<string, Scenario> = {
  sweep,
  // The models folder on another filesystem: outputs are copied beside the target and renamed.
  "sweep-copy": {
    ...sweep,
    async setup(dataDir, inputs) {
      if (!inputs.shmDir || !existsSync(inputs.shmDir)) return "no second filesystem";
      const models = mkdtempSync(path.join(inputs.shmDir, "cwb-crash-models-"));
      if (statSync(models).dev === statSync(dataDir).dev) return "shmDir is on the data dir's filesystem";
      symlinkSync(models, dataPaths(dataDir).models);
      return undefined;
    },
    points: ["commit.copy-created", "commit.copied", "commit.renamed", "record.before"],
  },
  imatrix: {
    args: (_dataDir, inputs) => [
      "imatrix",
      inputs.modelPath,
      "--text",
      inputs.calibrationTextPath,
      ...smallImatrix,
    ],
    rerunReuses: false,
    points: ["commit.before-link", "commit.linked", "artifact.before-record", "job.before-finish"],
  },
  export: {
    async setup(dataDir, inputs) {
      const made = await runCwb(dataDir, ["quantize", inputs.modelPath, "--type", "Q8_0", "--threads", "2"]);
      if (made.code !== 0) throw new Error(`quantize for the export exited ${made.code}: ${made.stderr}`);
      mkdirSync(path.join(dataDir, "exports"));
      return undefined;
    },
    args: (dataDir) => [
      "export",
      path.join(dataPaths(dataDir).models, "model.Q8_0.gguf"),
      "--out",
      path.join(dataDir, "exports", "bundle"),
    ],
    outputs: (dataDir) => ({
      dir: path.join(dataDir, "exports"),
      final: path.join(dataDir, "exports", "bundle"),
    }),
    rerunReuses: false,
    points: ["export.staged", "export.renamed", "job.before-finish"],
  },
};

/** Every point as `<scenario>/<point>[:<n>]`. */
export const allCrashPoints: readonly string[] = Object.entries(scenarios).flatMap(([name, s]) =>
  s.points.map((p) => `${name}/${p}`),
);

export interface CrashPointOutcome {
  id: string;
  /** "killed" (the point was reached), "not reached", or "skipped: why". */
  reached: string;
  problems: string[];
  seconds: number;
}

function exitWords(exit: CwbExit): string {
  return exit.signal ? `killed by ${exit.signal}` : `exit ${exit.code}: ${exit.stderr.trim().slice(-300)}`;
}

async function runPoint(id: string, inputs: CrashPointInputs): Promise<CrashPointOutcome> {
  const started = performance.now();
  const [name = "", point = ""] = id.split("/");
  const scenario = scenarios[name];
  if (!scenario)
    throw new Error(`${id}: no scenario "${name}" (known: ${Object.keys(scenarios).join(", ")})`);
  const dataDir = mkdtempSync(path.join(inputs.workDir, `${name}-`));
  const seconds = (): number => (performance.now() - started) / 1000;
  const skip = await scenario.setup?.(dataDir, inputs);
  if (skip) return { id, reached: `skipped: ${skip}`, problems: [], seconds: seconds() };
  const args = scenario.args(dataDir, inputs);
  const outputs = scenario.outputs?.(dataDir);
  const beside = (done: boolean): CheckOptions => ({
    besideOutputs: outputs ? [{ dir: outputs.dir, allowed: done ? [outputs.final] : [] }] : [],
  });
  const before = existsSync(dataPaths(dataDir).database) ? snapshot(dataDir) : null;

  const killed = await runCwb(dataDir, args, { CWB_CRASH_AT: point });
  const reached = killed.signal === "SIGKILL" ? "killed" : "not reached";
  const problems: string[] = [];
  // Any command that opens the queue recovers the dead owner's jobs.
  await runCwb(dataDir, ["--json", "jobs", "list"]);
  const afterKill = check(dataDir, before, beside(false));
  problems.push(...afterKill.problems.map((p) => `after the kill: ${p}`));

  const resumed = await runCwb(dataDir, ["--json", ...args]);
  if (resumed.code !== 0) problems.push(`the run after the kill: ${exitWords(resumed)}`);
  const afterRun = check(dataDir, afterKill.now, beside(true));
  problems.push(...afterRun.problems.map((p) => `after the run: ${p}`));

  if (scenario.rerunReuses) {
    const rerun = await runCwb(dataDir, ["--json", ...args]);
    if (rerun.code !== 0) problems.push(`the re-run: ${exitWords(rerun)}`);
    const afterRerun = check(dataDir, afterRun.now, beside(true));
    problems.push(...afterRerun.problems.map((p) => `after the re-run: ${p}`));
    const newModels = [...afterRerun.now.models.keys()].filter((m) => !afterRun.now.models.has(m));
    const newArtifacts = [...afterRerun.now.artifacts].filter((a) => !afterRun.now.artifacts.has(a));
    if (newModels.length + newArtifacts.length > 0)
      problems.push(
        `the re-run made ${newModels.length} model(s) and ${newArtifacts.length} artifact(s) instead of reusing`,
      );
  }
  if (problems.length === 0) rmSync(dataDir, { recursive: true, force: true });
  return { id, reached, problems, seconds: seconds() };
}

/** Runs each point (ids from allCrashPoints) in its own data dir, one after another. */
export async function runCrashPoints(
  ids: readonly string[],
  inputs: CrashPointInputs,
  onPoint?: (outcome: CrashPointOutcome, index: number) => void,
): Promise<CrashPointOutcome[]> {
  const outcomes: CrashPointOutcome[] = [];
  for (const [index, id] of ids.entries()) {
    const outcome = await runPoint(id, inputs);
    outcomes.push(outcome);
    onPoint?.(outcome, index);
  }
  return outcomes;
}
