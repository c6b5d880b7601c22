// `cwb distill` end to end through the real CLI, on the quick reference model: a student made on the
// way (--student-from drop:1: layer importance → prune → distill, one experiment) trained on the
// teacher's continuations of chunks of the calibration text mixed half and half with that text. The
// result is a variant of the pruned model, itself a variant of the teacher, and its recipe names the
// teacher's sha256, the data sets' artifacts and hashes, the loss and the settings.
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { distillJobResult } from "../../src/shared/domain/distill.js";
import { Store } from "../../src/core/store/Store.js";
import { getArtifact } from "../../src/core/store/artifacts.js";
import { listExperimentJobRecords, listJobRecords } from "../../src/core/store/jobs.js";
import { getVariant } from "../../src/core/store/variants.js";
import type { ReferenceModelResult } from "../../src/shared/domain/referenceModel.js";
import { buildNode, runCwb } from "../cli/runCwb.js";
import { referenceModel } from "../helpers/referenceModel.js";

let dataDir: string;
let ref: ReferenceModelResult;

beforeAll(async () => {
  buildNode();
  ref = await referenceModel("quick");
  dataDir = mkdtempSync(path.join(os.tmpdir(), "cwb-distill-cli-"));
}, 1_800_000);

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

it("drop:1 plans layers → prune → distill and heals on a mix of generated and real text", async () => {
  const run = await runCwb([
    "distill",
    "--data-dir",
    dataDir,
    "--teacher",
    ref.modelPath,
    "--student-from",
    "drop:1",
    "--generate",
    ref.calibrationText.path,
    "--gen-split",
    "chunks",
    "--gen-chunk-tokens",
    "32",
    "--gen-prompts",
    "8",
    "--gen-tokens",
    "64",
    "--gen-temp",
    "0.8",
    "--gen-top-p",
    "0.95",
    "--gen-seed",
    "1",
    "--text",
    ref.calibrationText.path,
    "--mix",
    "0.5",
    "--heldout",
    ref.evalText.path,
    "--heldout-chunks",
    "2",
    "--tokens",
    "512",
    "--threads",
    "2",
    "--gen-threads",
    "1",
    "--json",
  ]);
  expect(run.stderr).toMatch(/data set \w+ \(generated: 8 samples/);
  expect(run.code).toBe(0);
  const result = distillJobResult.parse(JSON.parse(run.stdout));
  expect(result.training.steps).toBe(2);
  expect(result.data).toMatchObject({
    generatedShare: 0.5,
    realText: { sha256: createHash("sha256").update(readFileSync(ref.calibrationText.path)).digest("hex") },
  });

  const store = Store.open(path.join(dataDir, "workbench.sqlite"));
  try {
    const db = store.db;
    // The data job first, on its own; then the experiment's three steps, each waiting for the last.
    const jobs = listJobRecords(db, 10).reverse();
    expect(jobs.map((j) => j.kind)).toEqual(["distill.data", "layers", "prune", "distill"]);
    const steps = listExperimentJobRecords(db, jobs[1]!.experimentId!);
    expect(steps.map((j) => [j.kind, j.state])).toEqual([
      ["layers", "succeeded"],
      ["prune", "succeeded"],
      ["distill", "succeeded"],
    ]);
    expect(steps[1]!.dependsOn).toBe(steps[0]!.id);
    expect(steps[2]!.dependsOn).toBe(steps[1]!.id);

    // Lineage: teacher → pruned student (one block dropped) → distilled student.
    const distilled = getVariant(db, result.model.id)!;
    expect(distilled.recipeKind).toBe("distill");
    const pruned = getVariant(db, distilled.parentId!)!;
    expect(pruned.recipeKind).toBe("prune");
    expect((pruned.recipe as { dropped: number[] }).dropped).toHaveLength(1);
    const teacherId = pruned.parentId!;

    const recipe = distilled.recipe as {
      teacher: { modelId: string; sha256: string };
      studentFrom: string;
      text: { sha256: string; teacherArtifactId: string };
      data: {
        set: { artifactId: string; sha256: string };
        generated: { artifactId: string; sha256: string; teacherSha256: string; settings: object };
        generatedShare: number;
      };
      loss: { objective: string; final: number; heldoutEnd: { kld: number } };
      settings: { tokens: number; temperature: number };
    };
    expect(recipe.teacher.modelId).toBe(teacherId);
    expect(recipe.teacher.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(recipe.studentFrom).toBe("drop:1");
    // The training text is the mix, recorded as an artifact with that hash.
    expect(recipe.text.sha256).toBe(recipe.data.set.sha256);
    const mix = getArtifact(db, recipe.data.set.artifactId)!;
    expect(mix).toMatchObject({ kind: "distill-data", sha256: recipe.data.set.sha256 });
    expect(mix.settings).toMatchObject({ role: "mix", generated: { sha256: recipe.data.generated.sha256 } });
    const generated = getArtifact(db, recipe.data.generated.artifactId)!;
    expect(generated).toMatchObject({ kind: "distill-data", sha256: recipe.data.generated.sha256 });
    expect(recipe.data.generated.teacherSha256).toBe(recipe.teacher.sha256);
    expect(recipe.data.generated.settings).toMatchObject({
      split: "chunks",
      temperature: 0.8,
      topP: 0.95,
      seed: 1,
      maxTokens: 64,
    });
    expect(recipe.loss.objective).toContain("KL");
    expect(recipe.loss.final).toBeCloseTo(result.training.finalLoss, 9);
    expect(recipe.loss.heldoutEnd.kld).toBeCloseTo(result.training.heldout.at(-1)!.kld, 9);
    expect(recipe.settings).toMatchObject({ tokens: 512, temperature: 1 });
  } finally {
    store.close();
  }
}, 600_000);
