// A sweep whose recipe chains prune → distill → quantize → evaluate, on the quick reference model
// through the real queue and worker processes: the graph's shape (which step waits for which), the
// rows it leaves (each quant level as the original's, the pruned model's and the healed model's
// variant, all scored against the original base), what healing bought per level, and a re-run of
// the same recipe that reuses every finished step (the distilled student included) and queues nothing.
import { afterAll, beforeAll, expect, it } from "vitest";
import type { SweepRecipeInput } from "../../src/shared/domain/experiment.js";
import type { ReferenceModelResult } from "../../src/shared/domain/referenceModel.js";
import { healingLevels } from "../../src/shared/metrics/healingGain.js";
import { startSweep, type SweepHost } from "../../src/core/experiments/runSweep.js";
import { summarizeExperiment } from "../../src/core/experiments/summarizeExperiment.js";
import { listExperimentJobRecords } from "../../src/core/store/jobs.js";
import { openHarness, removeDataDir, type Harness } from "../jobs/queueHarness.js";
import { referenceModel } from "../helpers/referenceModel.js";

let h: Harness;
let host: SweepHost;
let ref: ReferenceModelResult;
let recipe: SweepRecipeInput;

beforeAll(async () => {
  h = await openHarness({ progressIntervalMs: 0 });
  host = { db: h.store.db, dataDir: h.dataDir, jobs: h.queue, events: h.events };
  ref = await referenceModel("quick");
  recipe = {
    types: ["Q8_0", "Q6_K"],
    calibrationText: ref.calibrationText.path,
    evalText: ref.evalText.path,
    evalContextSize: 128,
    evalChunks: 16,
    threads: 2,
    prune: { by: "least-important", drop: 1 },
    distill: {
      settings: {
        tokens: 8 * 256,
        lr: 1e-4,
        lrMin: 1e-5,
        warmupSteps: 1,
        textChunks: 8,
        evalEvery: 100,
        heldoutChunks: 1,
        threads: 2,
      },
    },
  };
}, 1_800_000);

afterAll(async () => {
  await h?.close();
  if (h) removeDataDir(h.dataDir);
});

it("plans layers → prune → distill, quantizes both, scores everything against the base, then reuses it all", async () => {
  const run = await startSweep(host, { model: ref.modelPath, recipe });
  const outcome = await run.done;
  expect(outcome.failed, JSON.stringify(outcome.steps)).toBe(0);

  const records = listExperimentJobRecords(h.store.db, run.experimentId);
  const keyOf = new Map(records.map((r) => [r.id, r.stepKey]));
  const needs = Object.fromEntries(records.map((r) => [r.stepKey, r.needs.map((id) => keyOf.get(id))]));
  expect(needs).toEqual({
    layers: [],
    prune: ["layers"],
    "quantize:Q8_0": [],
    "quantize:Q6_K": [],
    "quantize:Q8_0 · pruned-1": ["prune"],
    "quantize:Q6_K · pruned-1": ["prune"],
    distill: ["prune"],
    "quantize:Q8_0 · healed": ["distill"],
    "quantize:Q6_K · healed": ["distill"],
    eval: [
      "quantize:Q8_0",
      "quantize:Q6_K",
      "prune",
      "quantize:Q8_0 · pruned-1",
      "quantize:Q6_K · pruned-1",
      "distill",
      "quantize:Q8_0 · healed",
      "quantize:Q6_K · healed",
    ],
  });

  const summary = summarizeExperiment(h.store.db, run.experimentId);
  expect(summary.rows.map((r) => [r.label, r.stage])).toEqual([
    ["base", "original"],
    ["Q8_0", "original"],
    ["Q6_K", "original"],
    ["pruned-1", "pruned"],
    ["Q8_0 · pruned-1", "pruned"],
    ["Q6_K · pruned-1", "pruned"],
    ["healed", "healed"],
    ["Q8_0 · healed", "healed"],
    ["Q6_K · healed", "healed"],
  ]);
  for (const row of summary.rows.filter((r) => !r.isBase)) {
    expect(row.kldMean, row.label).toBeGreaterThan(0);
    expect(row.kldUncertainty, row.label).toBeGreaterThan(0);
  }
  const levels = healingLevels(summary.rows);
  expect(levels.map((l) => l.quantType)).toEqual([null, "Q8_0", "Q6_K"]);
  expect(levels[1]!.original?.label).toBe("Q8_0");
  // Dropping a block of a 4-block model costs far more than the teacher's few steps leave.
  for (const level of levels) {
    expect(level.kld!.healed.value, String(level.quantType)).toBeLessThan(level.kld!.pruned.value);
    expect(level.kld!.verdict).toBe("lower");
  }

  // The same recipe again: every step is found done, nothing is queued.
  const again = await startSweep(host, { model: ref.modelPath, recipe });
  const second = await again.done;
  expect(again.experimentId).not.toBe(run.experimentId);
  expect(listExperimentJobRecords(h.store.db, again.experimentId)).toEqual([]);
  expect(second.steps.every((s) => s.state === "reused")).toBe(true);
  const reused = second.steps.filter((s) => s.step !== "eval").map((s) => `${s.step}:${s.label}`);
  expect(reused.sort()).toEqual(
    [
      "quantize:Q8_0",
      "quantize:Q6_K",
      "prune:pruned-1",
      "quantize:Q8_0 · pruned-1",
      "quantize:Q6_K · pruned-1",
      "distill:healed",
      "quantize:Q8_0 · healed",
      "quantize:Q6_K · healed",
    ].sort(),
  );
  // Each of the 8 variants' evaluations against the base is found.
  expect(second.steps.filter((s) => s.step === "eval")).toHaveLength(8);
  const rerun = summarizeExperiment(h.store.db, again.experimentId);
  expect(rerun.rows.map((r) => r.modelId)).toEqual(summary.rows.map((r) => r.modelId));
}, 600_000);
