// The pure parts of the prune → heal chain: Compress's chain steps as a sweep recipe (and their
// problems in words), the training-time estimate from earlier runs or the default, and the
// "what healing bought" pairing with its noise verdict.
import { describe, expect, it } from "vitest";
import { sweepRecipe, type ExperimentRow } from "../../src/shared/domain/experiment.js";
import type { Job } from "../../src/shared/domain/job.js";
import {
  defaultDistillRate,
  estimateDistillSeconds,
  measuredDistills,
} from "../../src/shared/metrics/distillEstimate.js";
import { healingLevels } from "../../src/shared/metrics/healingGain.js";
import { emptyRecipe, recipeProblems, toSweepRecipe } from "../../src/renderer/pages/compress/recipeForm.js";
import { emptyChain } from "../../src/renderer/pages/compress/chainForm.js";

describe("Compress chain steps", () => {
  const form = {
    ...emptyRecipe,
    types: ["Q8_0"],
    evalText: "/e.txt",
    chain: { ...emptyChain, pruneMode: "drop" as const, pruneDrop: 2, distillOn: true, distillTokens: 4096 },
  };

  it("asks for the text that ranks and trains, then makes a recipe the sweep accepts", () => {
    expect(recipeProblems(form)).toEqual([
      "Give the text that ranks what to prune and trains the healing (Prune and distill text).",
    ]);
    const filled = { ...form, chain: { ...form.chain, text: "/calib.txt" } };
    expect(recipeProblems(filled)).toEqual([]);
    const recipe = sweepRecipe.parse(toSweepRecipe(filled));
    expect(recipe.calibrationText).toBe("/calib.txt");
    expect(recipe.prune).toEqual({ by: "least-important", drop: 2 });
    expect(recipe.distill?.settings.tokens).toBe(4096);
    expect(recipe.distill?.settings.lr).toBe(1e-4);
  });

  it("refuses healing without pruning", () => {
    const healOnly = { ...form, chain: { ...emptyChain, distillOn: true } };
    expect(recipeProblems(healOnly)).toEqual(["Healing needs a Prune step: choose what to prune."]);
  });
});

describe("distillation time estimate", () => {
  const job = (tokensPerSecond: number, parameterCount: number) =>
    ({
      kind: "distill",
      state: "succeeded",
      result: { training: { tokensPerSecond }, model: { metadata: { parameterCount } } },
    }) as unknown as Job;

  it("uses the stated default when nothing ran here", () => {
    const e = estimateDistillSeconds(17_000, defaultDistillRate.parameterCount, []);
    expect(e.source).toBe("default");
    expect(e.lowSeconds).toBeCloseTo(10, 6);
    expect(e.highSeconds).toBeCloseTo(17_000 / 350, 6);
  });

  it("scales earlier runs' speed by parameters: twice the parameters, twice the time", () => {
    const measured = measuredDistills([job(1000, 1e6), job(500, 1e6), { ...job(9, 1), state: "failed" }]);
    expect(measured).toHaveLength(2);
    const e = estimateDistillSeconds(10_000, 2e6, measured);
    expect(e).toEqual({ lowSeconds: 20, highSeconds: 40, source: "measured", runs: 2 });
  });
});

describe("what healing bought", () => {
  const row = (
    label: string,
    stage: ExperimentRow["stage"],
    quantType: string | null,
    kld: number,
    u: number,
  ) =>
    ({
      label,
      stage,
      quantType,
      isBase: label === "base",
      kldMean: kld,
      kldUncertainty: u,
      ppl: 60,
      pplUncertainty: 2,
    }) as ExperimentRow;

  it("pairs pruned and healed per quant level and tells a difference beyond the noise from one within", () => {
    const levels = healingLevels([
      row("base", "original", null, 0, 0),
      row("Q8_0", "original", "Q8_0", 0.005, 0.0001),
      row("pruned-1", "pruned", null, 0.19, 0.005),
      row("Q8_0 · pruned-1", "pruned", "Q8_0", 0.2, 0.005),
      row("healed", "healed", null, 0.18, 0.005),
      row("Q8_0 · healed", "healed", "Q8_0", 0.01, 0.0005),
    ]);
    expect(
      levels.map((l) => [l.quantType, l.original?.label ?? null, l.kld?.verdict, l.ppl?.verdict]),
    ).toEqual([
      [null, null, "same", "same"],
      ["Q8_0", "Q8_0", "lower", "same"],
    ]);
    expect(levels[1]!.kld!.healed).toEqual({ value: 0.01, ci95: 1.96 * 0.0005 });
  });
});
