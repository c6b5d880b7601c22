// What the crash harnesses check after a kill and a restart (crashSweep.ts at random moments,
// crashPoints.ts at named points): the database passes integrity_check, every model, finished job
// and experiment recorded before is still there, every registered model file is whole, and no file
// the library does not record sits in the models or artifacts folders or beside an output; no job is
// left queued or running once a command has opened the queue.
import { spawn } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { dataPaths } from "../../src/core/paths.js";
import { Store } from "../../src/core/store/Store.js";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
export const cwbBin = path.join(repoRoot, "bin", "cwb.js");

export interface Snapshot {
  models: Map<string, { path: string; sizeBytes: number }>;
  artifacts: Set<string>;
  succeededJobs: Set<string>;
  experiments: Set<string>;
}

export interface CwbExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `cwb --data-dir DIR ARGS…` to its end; `env` adds variables (the crash point). */
export function runCwb(
  dataDir: string,
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<CwbExit> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cwbBin, "--data-dir", dataDir, ...args], {
      cwd: repoRoot,
      env: { ...process.env, CWB_DATA_DIR: "", CWB_CRASH_AT: "", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (c: string) => (stdout += c));
    child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
    child.once("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

export function snapshot(dataDir: string): Snapshot & { integrity: string; activeJobs: string[] } {
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
    const artifacts = new Set(
      (db.prepare("SELECT path FROM artifacts").all() as { path: string }[]).map((r) => path.resolve(r.path)),
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
    return { integrity, models, artifacts, succeededJobs, experiments, activeJobs };
  } finally {
    store.close();
  }
}

/** Files under `dir` (recursively), as absolute paths. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .map((name) => path.resolve(dir, name))
    .filter((file) => statSync(file).isFile());
}

export interface CheckOptions {
  /** Folders that receive outputs the library does not record (an export's): what may be there. */
  besideOutputs?: { dir: string; allowed: readonly string[] }[];
}

/** Problems with the data dir against what an earlier snapshot recorded. */
export function check(
  dataDir: string,
  before: Snapshot | null,
  options: CheckOptions = {},
): { problems: string[]; now: Snapshot } {
  const problems: string[] = [];
  const now = snapshot(dataDir);
  if (now.integrity !== "ok") problems.push(`integrity_check: ${now.integrity}`);
  if (now.activeJobs.length > 0)
    problems.push(`jobs left queued/running after restart: ${now.activeJobs.join(", ")}`);
  if (before) {
    for (const id of before.models.keys()) if (!now.models.has(id)) problems.push(`model ${id} lost`);
    for (const file of before.artifacts) if (!now.artifacts.has(file)) problems.push(`artifact ${file} lost`);
    for (const id of before.succeededJobs)
      if (!now.succeededJobs.has(id)) problems.push(`finished job ${id} lost`);
    for (const id of before.experiments) if (!now.experiments.has(id)) problems.push(`experiment ${id} lost`);
  }
  const registered = new Set(now.artifacts);
  for (const [id, model] of now.models) {
    registered.add(path.resolve(model.path));
    const size = existsSync(model.path) ? statSync(model.path).size : -1;
    if (size !== model.sizeBytes)
      problems.push(`model ${id}: file ${model.path} has ${size} bytes, recorded ${model.sizeBytes}`);
  }
  const { models, artifacts } = dataPaths(dataDir);
  for (const [folder, dir] of [
    ["models", models],
    ["artifacts", artifacts],
  ] as const) {
    for (const file of filesUnder(dir))
      if (!registered.has(file))
        problems.push(`unregistered file left in the ${folder} folder: ${path.relative(dir, file)}`);
  }
  for (const { dir, allowed } of options.besideOutputs ?? []) {
    const expected = allowed.map((file) => path.resolve(file));
    for (const file of filesUnder(dir))
      if (!expected.some((a) => file === a || file.startsWith(a + path.sep)))
        problems.push(`file left beside an output: ${file}`);
  }
  return { problems, now };
}
