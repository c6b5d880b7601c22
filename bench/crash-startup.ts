// npm run bench:crash-startup -- --kills N [--seed S] [--rows R] [--model-mib M]
// SIGKILLs `cwb` during a schema migration (a database one version old with R runs) and during the
// hashing of an M MiB model being imported, then checks what each kill left (crash/crashStartup.ts).
// Prints one line per kill and a summary per phase; exits 1 on any problem.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { buildNode } from "../test/cli/runCwb.js";
import { makeBigModel, runImportKills, runMigrationKills, type KillReport } from "./crash/crashStartup.js";

const { values } = parseArgs({
  options: {
    kills: { type: "string", default: "20" },
    seed: { type: "string", default: "1" },
    rows: { type: "string", default: "400000" },
    "model-mib": { type: "string", default: "300" },
  },
});
const kills = Number(values.kills);
buildNode();
const workDir = mkdtempSync(path.join(os.tmpdir(), "cwb-crash-startup-"));
const print = (phase: string) => (i: number, r: KillReport) =>
  console.log(
    `${phase} kill ${i + 1}: ${r.delayMs} ms in: ${r.state}${r.problems.length ? `; PROBLEMS: ${r.problems.join("; ")}` : ""}`,
  );
const summary = (phase: string, reports: KillReport[], windowMs: number) => {
  const states = new Map<string, number>();
  for (const r of reports) states.set(r.state, (states.get(r.state) ?? 0) + 1);
  const problems = reports.reduce((n, r) => n + r.problems.length, 0);
  console.log(
    `${phase}: window ${Math.round(windowMs)} ms; ${[...states].map(([s, n]) => `${s} ${n}`).join(", ")}; problems ${problems}`,
  );
  return problems;
};
try {
  const migration = await runMigrationKills({
    kills,
    seed: Number(values.seed),
    rows: Number(values.rows),
    workDir,
    onKill: print("migration"),
  });
  const model = path.join(workDir, "big.gguf");
  await makeBigModel(model, Number(values["model-mib"]));
  const imports = await runImportKills({
    kills,
    seed: Number(values.seed),
    model,
    workDir,
    onKill: print("import"),
  });
  const problems =
    summary(`migration ${values.rows} runs`, migration.reports, migration.windowMs) +
    summary(`import hashing ${values["model-mib"]} MiB`, imports.reports, imports.windowMs);
  process.exitCode = problems > 0 ? 1 : 0;
} finally {
  rmSync(workDir, { recursive: true, force: true });
}
