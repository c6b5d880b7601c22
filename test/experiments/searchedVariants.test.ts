// Compare's experiment view with searched mixes: a library variant of the same base carrying the
// search's provenance and evaluated on the members' text joins the rows, marked "searched"; one
// evaluated on another text or with another context, a plain standalone quantize, or a variant of another base does not.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { summarizeExperiment } from "../../src/core/experiments/summarizeExperiment.js";
import { isSearchedRecipe } from "../../src/core/experiments/searchedVariants.js";
import { upsertMachine } from "../../src/core/machine/machineStore.js";
import { addExperimentModel, insertExperiment } from "../../src/core/store/experiments.js";
import { insertModel } from "../../src/core/store/models.js";
import { insertRun } from "../../src/core/store/runs.js";
import { Store, type Db } from "../../src/core/store/Store.js";
import { insertTextSet } from "../../src/core/store/textSets.js";
import { insertVariant } from "../../src/core/store/variants.js";
import { testMachine } from "../helpers/machine.js";
import { testModelMetadata } from "../helpers/modelMetadata.js";

let dir: string;
let store: Store;
let db: Db;
const machine = testMachine("m1");

function addModel(id: string, sizeBytes: number, parentId: string | null, recipe: unknown = null): void {
  insertModel(db, {
    id,
    path: `/models/${id}.gguf`,
    fileName: `${id}.gguf`,
    sizeBytes,
    sha256: `sha-${id}`,
    importedAt: "2026-11-23T09:00:00.000Z",
    metadata: testModelMetadata(id),
  });
  if (parentId)
    insertVariant(db, { modelId: id, parentId, recipeKind: "quantize", recipe, llamaBuild: "b1" });
}

function addEval(
  modelId: string,
  baseModelId: string,
  textSetId: string,
  kld: number,
  contextSize = 512,
): void {
  insertRun(
    db,
    {
      kind: "eval",
      modelId,
      baseModelId,
      textSetId,
      machineId: machine.id,
      llamaBuild: "b1",
      nodeLlamaCpp: "3.21.1",
      settings: { contextSize, chunks: 2 },
    },
    [
      { name: "kld.mean", value: kld, unit: "nats", stddev: kld / 10, samples: null },
      { name: "ppl", value: 10 + kld, unit: "", stddev: 0.1, samples: null },
      { name: "ppl.base", value: 10, unit: "", stddev: 0.1, samples: null },
    ],
  );
}

const searched = {
  type: "Q8_0",
  searched: { budgetBytes: 700, predictedKld: 0.01, sensitivityCache: "/c.json" },
};

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "cwb-searched-"));
  store = Store.open(path.join(dir, "workbench.sqlite"));
  db = store.db;
  upsertMachine(db, machine);
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("searched variants on Compare", () => {
  it("adds the base's searched mixes evaluated on the members' text, marked searched", () => {
    const text = insertTextSet(db, {
      name: "held",
      purpose: "evaluation",
      sha256: "a".repeat(64),
      path: "/t/h.txt",
      bytes: 10,
    });
    const other = insertTextSet(db, {
      name: "other",
      purpose: "evaluation",
      sha256: "b".repeat(64),
      path: "/t/o.txt",
      bytes: 10,
    });
    addModel("base", 2000, null);
    addModel("q4", 600, "base", { type: "Q4_K" });
    addModel("mix", 700, "base", searched);
    addModel("mixOtherText", 650, "base", searched);
    addModel("mixOtherContext", 660, "base", searched);
    addModel("plainQ5", 750, "base", { type: "Q5_K" });
    addModel("otherBase", 2000, null);
    addModel("mixOfOther", 700, "otherBase", searched);
    const experiment = insertExperiment(db, {
      name: "sweep",
      kind: "sweep",
      baseModelId: "base",
      recipe: null,
    });
    addExperimentModel(db, experiment.id, { modelId: "base", label: "base", position: 0 });
    addExperimentModel(db, experiment.id, { modelId: "q4", label: "Q4_K", position: 1 });
    addEval("q4", "base", text.id, 0.05);
    addEval("mix", "base", text.id, 0.02);
    addEval("mixOtherText", "base", other.id, 0.03);
    addEval("mixOtherContext", "base", text.id, 0.03, 128);
    addEval("plainQ5", "base", text.id, 0.01);
    addEval("mixOfOther", "otherBase", text.id, 0.02);

    const rows = summarizeExperiment(db, experiment.id).rows;
    expect(rows.map((r) => [r.modelId, r.searched === true])).toEqual([
      ["base", false],
      ["q4", false],
      ["mix", true],
    ]);
    const mix = rows[2]!;
    expect(mix.label).toMatch(/^searched /);
    expect(mix.quantType).toBeNull();
    expect(mix.kldMean).toBe(0.02);
    // Smaller KLD than Q4_K at a larger size: both on the size front.
    expect(mix.front.sizeVsKld).toBe(true);
  });

  it("recognises the search's provenance in a recipe", () => {
    expect(isSearchedRecipe(searched)).toBe(true);
    expect(isSearchedRecipe({ type: "Q4_K", searched: null })).toBe(false);
    expect(isSearchedRecipe(null)).toBe(false);
  });
});
