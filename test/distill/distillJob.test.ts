// The "distill" job end to end through the real queue and worker processes, on the reference model:
// a pruned student healed from the reference (held-out KLD to the teacher falls), recorded as a
// variant whose lineage names the teacher, the data and the loss; the teacher's distributions cached
// and reused by the next run; soft targets give another student than hard labels; a cancelled run
// resumes from its checkpoint with the step count continuing.
import { existsSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  distillJobResult,
  type DistillJobParams,
  type DistillSettingsInput,
} from "../../src/shared/domain/distill.js";
import { pruneJobResult } from "../../src/shared/domain/compression.js";
import { planDistill } from "../../src/core/distill/planDistill.js";
import { planPrune } from "../../src/core/quantize/planPrune.js";
import { getVariant } from "../../src/core/store/variants.js";
import type { ReferenceModelResult } from "../../src/shared/domain/referenceModel.js";
import { openHarness, removeDataDir, type Harness } from "../jobs/queueHarness.js";
import { referenceModel } from "../helpers/referenceModel.js";

let h: Harness;
let ref: ReferenceModelResult;
let studentId: string;

const quick: DistillSettingsInput = {
  contextSize: 256,
  accumulate: 2,
  tokens: 6 * 256,
  lr: 3e-4,
  lrMin: 3e-5,
  warmupSteps: 2,
  evalEvery: 3,
  heldoutChunks: 2,
  textChunks: 8,
  checkpointEvery: 2,
  threads: 2,
};

async function plan(settings: DistillSettingsInput, out: string): Promise<DistillJobParams> {
  const p = await planDistill(h.store.db, h.dataDir, {
    teacher: ref.modelPath,
    student: studentId,
    text: ref.calibrationText.path,
    heldout: ref.evalText.path,
    settings,
    out: path.join(h.dataDir, out),
  });
  if (p.kind !== "job") throw new Error("an existing student is one job");
  return p.params;
}

async function run(params: DistillJobParams) {
  const job = await h.queue.waitFor(h.queue.enqueue("distill", params).id);
  expect(job.error).toBeNull();
  return distillJobResult.parse(job.result);
}

beforeAll(async () => {
  h = await openHarness({ progressIntervalMs: 0 });
  ref = await referenceModel();
  const prune = await planPrune(h.store.db, h.dataDir, { model: ref.modelPath, layers: [2] });
  const pruned = await h.queue.waitFor(h.queue.enqueue("prune", prune).id);
  expect(pruned.error).toBeNull();
  studentId = pruneJobResult.parse(pruned.result).model.id;
}, 1_800_000);

afterAll(async () => {
  await h?.close();
  if (h) removeDataDir(h.dataDir);
});

it("heals a pruned student, records its lineage and reuses the teacher's cached distributions", async () => {
  const params = await plan(quick, "healed.gguf");
  expect(params.teacherText.cachedPath).toBeNull();
  const soft = await run(params);
  const first = soft.training.heldout[0]!;
  const last = soft.training.heldout.at(-1)!;
  expect(first.step).toBe(0);
  expect(last.step).toBe(6);
  expect(last.kld).toBeLessThan(first.kld - 2 * (first.kldStdErr + last.kldStdErr));
  expect(soft.teacherArtifacts.text.reused).toBe(false);
  expect(soft.meanK).toBe(64);
  expect(soft.meanMassKept).toBeGreaterThan(0.5);
  expect(soft.meanMassKept).toBeLessThanOrEqual(1);
  expect(existsSync(params.checkpoint.path)).toBe(false);

  const variant = getVariant(h.store.db, soft.model.id)!;
  expect(variant.recipeKind).toBe("distill");
  expect(variant.parentId).toBe(studentId);
  const recipe = variant.recipe as {
    teacher: { sha256: string };
    text: { sha256: string };
    heldout: { sha256: string };
    loss: { heldoutEnd: { kld: number } };
    settings: { temperature: number };
  };
  expect(recipe.teacher.sha256).toBe(params.teacher.sha256);
  expect(recipe.text.sha256).toBe(params.text.sha256);
  expect(recipe.heldout.sha256).toBe(params.heldout!.sha256);
  expect(recipe.loss.heldoutEnd.kld).toBeCloseTo(last.kld, 9);
  expect(recipe.settings.temperature).toBe(1);

  // Same teacher, texts and context: both teacher files come from the cache; hard labels only.
  const hardParams = await plan({ ...quick, alpha: 1 }, "hard.gguf");
  expect(hardParams.teacherText.cachedPath).not.toBeNull();
  expect(hardParams.teacherHeldout!.cachedPath).not.toBeNull();
  const hard = await run(hardParams);
  expect(hard.teacherArtifacts.text).toEqual({
    artifactId: soft.teacherArtifacts.text.artifactId,
    reused: true,
  });
  expect(hard.teacherArtifacts.heldout!.reused).toBe(true);
  expect(hard.model.sha256).not.toBe(soft.model.sha256);
  // Trained on the teacher, the student ends closer to it than trained on the text alone.
  expect(last.kld).toBeLessThan(hard.training.heldout.at(-1)!.kld);
}, 1_800_000);

it("resumes a cancelled run from its checkpoint: the step count continues", async () => {
  const params = await plan({ ...quick, tokens: 10 * 256, evalEvery: 100 }, "resumed.gguf");
  const queued = h.queue.enqueue("distill", params);
  // Cancel once a checkpoint exists (every 2 steps) and the run is past it.
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const step = h.updates
        .filter((u) => u.job.id === queued.id)
        .map((u) => /step (\d+)\//.exec(u.job.progress?.step ?? "")?.[1])
        .filter(Boolean)
        .map(Number);
      if (Math.max(0, ...step) >= 3) {
        clearInterval(timer);
        resolve();
      }
    }, 50);
  });
  await h.queue.cancel(queued.id);
  const cancelled = await h.queue.waitFor(queued.id);
  expect(cancelled.state).toBe("cancelled");
  expect(existsSync(path.join(params.checkpoint.path, "state.json"))).toBe(true);

  const resumed = await run(params);
  expect(resumed.training.resumedFromStep).toBeGreaterThanOrEqual(2);
  expect(resumed.training.steps).toBe(10);
  // This run trained only the steps left.
  expect(resumed.training.tokens).toBe((10 - resumed.training.resumedFromStep) * 256);
}, 1_800_000);
