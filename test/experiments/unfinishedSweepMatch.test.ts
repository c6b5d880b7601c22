// Compress offers to resume an unfinished sweep with the same recipe. A sweep recorded before a
// recipe field existed (its stored recipe lacks the key) is the same sweep as one asked for today
// with that field at its default, and is still found; a different recipe is not.
import { afterAll, expect, it } from "vitest";
import { findUnfinishedSweep } from "../../src/core/experiments/runSweep.js";
import { ensureDataPaths } from "../../src/core/paths.js";
import { insertExperiment } from "../../src/core/store/experiments.js";
import { Store } from "../../src/core/store/Store.js";
import { sweepRecipe } from "../../src/shared/domain/experiment.js";
import { makeDataDir, removeDataDir } from "../jobs/queueHarness.js";

const dataDir = makeDataDir();
afterAll(() => removeDataDir(dataDir));

it("finds an interrupted sweep stored without a newer recipe field, and not one of another recipe", () => {
  const store = Store.open(ensureDataPaths(dataDir).database);
  try {
    const db = store.db;
    db.prepare(
      "INSERT INTO models (id, path, file_name, size_bytes, sha256, architecture, parameter_count, file_type, metadata_json, imported_at) VALUES ('m1', '/x/base.gguf', 'base.gguf', 1, 'aa', 'llama', 1, 'F16', '{}', ?)",
    ).run(new Date().toISOString());
    const today = sweepRecipe.parse({ types: ["Q8_0", "Q4_0"] });
    const { speculate: _dropped, ...stored } = today;
    const old = insertExperiment(db, { name: "old", kind: "sweep", baseModelId: "m1", recipe: stored });
    db.prepare(
      "INSERT INTO jobs (id, kind, params_json, state, created_at, experiment_id, step_key) VALUES ('j1', 'quantize', '{}', 'interrupted', ?, ?, 'quantize:Q8_0')",
    ).run(new Date().toISOString(), old.id);

    expect(findUnfinishedSweep(db, "m1", today)).toBe(old.id);
    expect(findUnfinishedSweep(db, "m1", sweepRecipe.parse({ types: ["Q8_0"] }))).toBeUndefined();
  } finally {
    store.close();
  }
});
