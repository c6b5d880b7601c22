// Kills that random timing in a sweep never hits, because each happens once per data dir: during a
// schema migration (a database one version old, with a runs table large enough that rebuilding it
// takes a while) and during the hashing of a big model being imported. After each SIGKILL the
// database must be at the old version intact or at the new one, with integrity_check ok and no row
// lost, and nothing may be registered half; opening again migrates, importing again registers.
import { spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { seededRandom } from "../../src/core/bench/randomTokens.js";
import { sha256File } from "../../src/core/library/hashFile.js";
import { dataPaths } from "../../src/core/paths.js";
import { migrations } from "../../src/core/store/migrations/index.js";
import { Store } from "../../src/core/store/Store.js";
import { cwbBin } from "../../test/cli/runCwb.js";
import { nativeAddon, vocabPath } from "../../test/quantize/fixtures.js";

export interface KillReport {
  /** What state the kill left: "old version intact", "migrated", "not registered", "registered", "exited first". */
  state: string;
  delayMs: number;
  problems: string[];
}

/** Starts `cwb ARGS`, waits until `started()` says the phase under test began, then SIGKILLs after `delayMs`. */
function killDuring(
  args: string[],
  started: () => boolean,
  delayMs: number,
): Promise<{ killed: boolean; code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cwbBin, ...args], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    let killed = false;
    let timer: NodeJS.Timeout | undefined;
    const poll = setInterval(() => {
      if (!started()) return;
      clearInterval(poll);
      timer = setTimeout(() => {
        killed = child.kill("SIGKILL");
      }, delayMs);
    }, 2);
    child.once("close", (code) => {
      clearInterval(poll);
      clearTimeout(timer);
      resolve({ killed, code, stderr });
    });
  });
}

/** How long `cwb ARGS` runs once `started()` holds, without a kill: the window kills are drawn from. */
async function phaseMs(args: string[], started: () => boolean): Promise<number> {
  let from = 0;
  const run = await killDuring(args, () => (started() ? ((from ||= performance.now()), true) : false), 1e9);
  if (run.code !== 0) throw new Error(`cwb ${args.join(" ")} failed: ${run.stderr}`);
  return performance.now() - from;
}

// --- a migration ---------------------------------------------------------------------------------

const latest = migrations.at(-1)!;

/** A database one version behind, holding `rows` runs (the table the latest migration rebuilds). */
export function makeOldDatabase(file: string, rows: number): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const store = Store.open(file, { migrations: migrations.slice(0, -1) });
  const db = store.db;
  const now = new Date().toISOString();
  db.prepare(
    `INSERT INTO models (id, path, file_name, size_bytes, sha256, architecture, parameter_count, metadata_json, imported_at)
     VALUES ('m1', '/nowhere/m.gguf', 'm.gguf', 1, 'aa', 'llama', 1, '{}', ?)`,
  ).run(now);
  db.prepare(
    "INSERT INTO machines (id, cpu, cores, ram_bytes, os, details_json) VALUES ('c1', 'cpu', 2, 1, 'linux', '{}')",
  ).run();
  const insert = db.prepare(
    `INSERT INTO runs (id, kind, model_id, machine_id, llama_build, node_llama_cpp, settings_json, created_at)
     VALUES (?, 'bench', 'm1', 'c1', 'b1', '3.21.1', ?, ?)`,
  );
  const settings = JSON.stringify({ note: "x".repeat(400) });
  db.transaction(() => {
    for (let i = 0; i < rows; i++) insert.run(`run-${i}`, settings, now);
  })();
  db.pragma("wal_checkpoint(TRUNCATE)");
  store.close();
}

/** The database's state read without migrating it: what a kill left behind. */
function checkAfterMigrationKill(file: string, rows: number): { state: string; problems: string[] } {
  const problems: string[] = [];
  const db = new Database(file);
  try {
    const integrity = db.pragma("integrity_check", { simple: true });
    if (integrity !== "ok") problems.push(`integrity_check: ${String(integrity)}`);
    const version = db.pragma("user_version", { simple: true }) as number;
    const count = (db.prepare("SELECT count(*) AS n FROM runs").get() as { n: number }).n;
    if (count !== rows) problems.push(`runs: ${count} rows, expected ${rows}`);
    const tables = (
      db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]
    ).map((t) => t.name);
    if (tables.includes("runs_new")) problems.push("a half-made runs_new table is left");
    const sql = (db.prepare("SELECT sql FROM sqlite_master WHERE name = 'runs'").get() as { sql: string })
      .sql;
    const rebuilt = sql.includes("'speculate'");
    if (version === latest.version - 1 && !rebuilt) return { state: "old version intact", problems };
    if (version === latest.version && rebuilt) return { state: "migrated", problems };
    problems.push(`user_version ${version} with ${rebuilt ? "the new" : "the old"} runs table`);
    return { state: "mixed", problems };
  } finally {
    db.close();
  }
}

export async function runMigrationKills(options: {
  kills: number;
  seed: number;
  rows: number;
  workDir: string;
  onKill?: (i: number, report: KillReport) => void;
}): Promise<{ reports: KillReport[]; windowMs: number }> {
  const template = path.join(options.workDir, "template.sqlite");
  makeOldDatabase(template, options.rows);
  const dataDir = path.join(options.workDir, "data");
  const database = dataPaths(dataDir).database;
  const fresh = () => {
    rmSync(dataDir, { recursive: true, force: true });
    mkdirSync(dataDir, { recursive: true });
    copyFileSync(template, database);
  };
  // The migration writes into the WAL from its first statement until its commit.
  const migrating = () => existsSync(`${database}-wal`) && statSync(`${database}-wal`).size > 0;
  const args = ["jobs", "list", "--data-dir", dataDir];
  fresh();
  const windowMs = await phaseMs(args, migrating);
  const random = seededRandom(options.seed);
  const reports: KillReport[] = [];
  for (let i = 0; i < options.kills; i++) {
    fresh();
    const delayMs = Math.round(random() * windowMs);
    const run = await killDuring(args, migrating, delayMs);
    const after = checkAfterMigrationKill(database, options.rows);
    const report: KillReport = {
      state: run.killed ? after.state : "exited first",
      delayMs,
      problems: after.problems,
    };
    // Opening it again finishes the migration with every row.
    try {
      Store.open(database).close();
      const reopened = checkAfterMigrationKill(database, options.rows);
      if (reopened.state !== "migrated") report.problems.push(`reopened: ${reopened.state}`);
      report.problems.push(...reopened.problems.map((p) => `reopened: ${p}`));
    } catch (error) {
      report.problems.push(`reopening failed: ${(error as Error).message}`);
    }
    reports.push(report);
    options.onKill?.(i, report);
  }
  return { reports, windowMs };
}

// --- import hashing -------------------------------------------------------------------------------

/** A valid random-weight model of about `mib` MiB (F32 embeddings and output over llama's 32k vocabulary). */
export async function makeBigModel(file: string, mib: number): Promise<void> {
  const nEmbd = Math.max(64, Math.round((mib * 1024 * 1024) / (2 * 32000 * 4) / 64) * 64);
  await (
    await nativeAddon()
  ).createModel({ outPath: file, vocabPath, nVocab: 32000, nEmbd, nFf: 128, nLayer: 1, nHead: 2, seed: 5 });
}

function registeredModels(database: string): { sha256: string; size_bytes: number }[] {
  if (!existsSync(database)) return [];
  const db = new Database(database);
  try {
    const integrity = db.pragma("integrity_check", { simple: true });
    if (integrity !== "ok") throw new Error(`integrity_check: ${String(integrity)}`);
    const hasModels = db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'models'").get();
    return hasModels ? (db.prepare("SELECT sha256, size_bytes FROM models").all() as never) : [];
  } finally {
    db.close();
  }
}

export async function runImportKills(options: {
  kills: number;
  seed: number;
  model: string;
  workDir: string;
  onKill?: (i: number, report: KillReport) => void;
}): Promise<{ reports: KillReport[]; windowMs: number; sha256: string }> {
  const { sha256, bytes } = await sha256File(options.model);
  const dataDir = path.join(options.workDir, "import-data");
  const paths = dataPaths(dataDir);
  const args = ["models", "import", options.model, "--data-dir", dataDir];
  // Timed from the start: the data dir is fresh each time, so hashing follows opening it at once.
  rmSync(dataDir, { recursive: true, force: true });
  const windowMs = await phaseMs(args, () => true);
  const random = seededRandom(options.seed);
  const reports: KillReport[] = [];
  for (let i = 0; i < options.kills; i++) {
    rmSync(dataDir, { recursive: true, force: true });
    const delayMs = Math.round(random() * windowMs);
    const run = await killDuring(args, () => true, delayMs);
    const problems: string[] = [];
    let state = "exited first";
    try {
      const models = registeredModels(paths.database);
      if (run.killed) state = models.length === 0 ? "not registered" : "registered";
      for (const m of models)
        if (m.sha256 !== sha256 || m.size_bytes !== bytes)
          problems.push(`registered half: ${JSON.stringify(m)}`);
    } catch (error) {
      problems.push((error as Error).message);
    }
    // Importing again registers it, whole, and the dead run's job folder is gone by then.
    const again = await killDuring(args, () => false, 0);
    if (again.code !== 0) problems.push(`re-import failed: ${again.stderr.trim()}`);
    const models = registeredModels(paths.database);
    if (models.length !== 1 || models[0]!.sha256 !== sha256)
      problems.push(`after re-import: ${JSON.stringify(models)}`);
    for (const dir of [paths.models, paths.tmp])
      if (existsSync(dir) && readdirSync(dir).length > 0)
        problems.push(`${dir} holds ${readdirSync(dir).join(", ")}`);
    const report: KillReport = { state, delayMs, problems };
    reports.push(report);
    options.onKill?.(i, report);
  }
  return { reports, windowMs, sha256 };
}
