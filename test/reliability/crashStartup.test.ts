// The CI slice of `npm run bench:crash-startup`: `cwb` SIGKILLed during a schema migration leaves the
// database at the old version intact or at the new one (integrity ok, no run lost) and opening it
// again migrates; killed while hashing a model it imports, it registers nothing half and importing
// again registers the model whole, leaving no file behind.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { makeBigModel, runImportKills, runMigrationKills } from "../../bench/crash/crashStartup.js";
import { buildNode } from "../cli/runCwb.js";

const workDir = mkdtempSync(path.join(os.tmpdir(), "cwb-crash-startup-"));
beforeAll(() => buildNode(), 120_000);
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

it("kills during a migration lose no row and leave one version or the other", async () => {
  const { reports } = await runMigrationKills({ kills: 3, seed: 4, rows: 40_000, workDir });
  expect(reports.flatMap((r) => r.problems)).toEqual([]);
  for (const r of reports) expect(r.state).toMatch(/^(old version intact|migrated|exited first)$/);
}, 120_000);

it("kills during import hashing register nothing half, and importing again works", async () => {
  const model = path.join(workDir, "big.gguf");
  await makeBigModel(model, 24);
  const { reports } = await runImportKills({ kills: 2, seed: 4, model, workDir });
  expect(reports.flatMap((r) => r.problems)).toEqual([]);
  for (const r of reports) expect(r.state).toMatch(/^(not registered|registered|exited first)$/);
}, 120_000);
