// `cwb search` end to end on the quick reference model: the real sensitivity job (quantizations and
// evaluations in a worker), the knapsack, the validation quantize + eval, and the cell cache that
// makes a second run measure nothing.
import { mkdtempSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import type { SearchReport } from "../../src/shared/domain/searchReport.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildNode, runCwb } from "../cli/runCwb.js";
import { referenceModel } from "../helpers/referenceModel.js";
import type { ReferenceModelResult } from "../../src/shared/domain/referenceModel.js";

let dir: string;
let ref: ReferenceModelResult;

beforeAll(async () => {
  buildNode();
  ref = await referenceModel("quick");
  dir = mkdtempSync(path.join(os.tmpdir(), "cwb-search-"));
}, 30 * 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("cwb search", () => {
  it("refuses types that need an importance matrix without one, before measuring anything", async () => {
    const run = await runCwb([
      "--data-dir",
      path.join(dir, "refused"),
      "search",
      ref.modelPath,
      "--bpw",
      "4",
      "--text",
      ref.calibrationText.path,
      "--types",
      "Q4_K,IQ2_XXS",
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("IQ2_XXS need(s) an importance matrix");
    expect(run.stderr).toContain("--imatrix");
    expect(run.stderr).not.toMatch(/passes/);
  }, 60_000);

  it("finds a mix within the budget, validates it for real, records it, and reuses the cache", async () => {
    const dataDir = path.join(dir, "data");
    // Between all-Q4_K and all-Q8_0: the search must trade groups off against each other.
    const modelBytes = statSync(ref.modelPath).size;
    const budget = Math.floor(modelBytes * 0.42);
    const args = [
      "--data-dir",
      dataDir,
      "--json",
      "search",
      ref.modelPath,
      "--budget",
      String(budget),
      "--text",
      ref.calibrationText.path,
      "--types",
      "Q4_K,Q6_K",
      "--band",
      "4",
      "--ctx",
      "128",
      "--chunks",
      "2",
    ];
    const first = await runCwb([...args, "--heldout", ref.evalText.path, "--heldout-chunks", "4"]);
    expect(first.code, first.stderr).toBe(0);
    const result = JSON.parse(first.stdout) as SearchReport;
    expect(result.cellsCached).toBe(0);
    expect(result.cellsMeasured).toBeGreaterThan(4);
    expect(first.stderr).toMatch(/\d+ passes, 0 cached, \d+ to measure plus a base pass, about /);
    const [found] = result.recipes;
    expect(found!.recipe.bytes).toBeLessThanOrEqual(budget);
    const types = new Set(found!.recipe.choices.map((choice) => choice.type));
    expect(types.size, "a mix, not one type everywhere").toBeGreaterThan(1);
    // The predicted size is the size written, byte for byte.
    expect(found!.validation!.sizeBytes).toBe(found!.recipe.bytes);
    expect(found!.validation!.kld.value).toBeGreaterThan(0);
    expect(found!.llamaQuantize).toContain("--tensor-type");

    // The variant is in the library with the overrides as its recipe.
    const db = new Database(path.join(dataDir, "workbench.sqlite"), { readonly: true });
    const row = db
      .prepare("SELECT recipe_json FROM variants WHERE model_id = ?")
      .get(found!.validation!.modelId) as { recipe_json: string } | undefined;
    db.close();
    const recipe = JSON.parse(row!.recipe_json) as {
      tensorTypes: { pattern: string; type: string }[];
      searched: { budgetBytes: number; predictedKld: number };
    };
    expect(recipe.searched).toMatchObject({ budgetBytes: budget, predictedKld: found!.recipe.predictedKld });
    // planQuantize stores ggml's own spelling (q4_K).
    expect(recipe.tensorTypes.map((o) => `${o.pattern}=${o.type.toUpperCase()}`)).toEqual(
      found!.tensorTypeFlags,
    );

    const started = performance.now();
    const second = await runCwb(args);
    expect(second.code, second.stderr).toBe(0);
    const again = JSON.parse(second.stdout) as SearchReport;
    expect(again.cellsMeasured).toBe(0);
    expect(again.cellsCached).toBe(result.cellsMeasured);
    expect(second.stderr).not.toMatch(/Recipe search: sensitivity/);
    expect(again.recipes[0]!.recipe).toEqual(found!.recipe);
    expect(performance.now() - started).toBeLessThan(15_000);
  }, 180_000);
});
