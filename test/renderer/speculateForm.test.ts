// The Compress screen's "Speculative decoding" step: off adds nothing, on needs a target among the
// chosen types, at least one other type as a draft and a prompt, and sends a recipe the protocol's
// own schema accepts ("all" when every other type is a draft).
import { describe, expect, it } from "vitest";
import { sweepRecipe } from "../../src/shared/domain/experiment.js";
import {
  emptyRecipe,
  recipeProblems,
  toSweepRecipe,
  type RecipeForm,
} from "../../src/renderer/pages/compress/recipeForm.js";
import { emptySpeculate } from "../../src/renderer/pages/compress/speculateForm.js";
import { recipeLines } from "../../src/renderer/pages/history/recipeSummary.js";

const ready: RecipeForm = { ...emptyRecipe, types: ["Q8_0", "Q4_0"], evalText: "/data/eval.txt" };
const withSpeculate = (fields: Partial<RecipeForm["speculate"]>): RecipeForm => ({
  ...ready,
  speculate: {
    ...emptySpeculate,
    on: true,
    prompts: "The state of the Union is\n\nOnce upon a time",
    ...fields,
  },
});

describe("the speculative decoding step", () => {
  it("adds nothing while off", () => {
    expect(recipeProblems(ready)).toEqual([]);
    expect(sweepRecipe.parse(toSweepRecipe(ready)).speculate).toBeNull();
  });

  it("sends the base as target with every variant as a draft, one prompt per non-empty line", () => {
    const form = withSpeculate({});
    expect(recipeProblems(form)).toEqual([]);
    expect(sweepRecipe.parse(toSweepRecipe(form)).speculate).toEqual({
      target: "original",
      drafts: "all",
      prompts: ["The state of the Union is", "Once upon a time"],
      maxTokens: 32,
      draftMax: 4,
      reps: 2,
    });
  });

  it("sends the ticked drafts of a quantized target", () => {
    const form = withSpeculate({ target: "Q8_0", drafts: ["Q4_0"], reps: 3 });
    expect(sweepRecipe.parse(toSweepRecipe(form)).speculate).toMatchObject({
      target: "Q8_0",
      drafts: ["Q4_0"],
      reps: 3,
    });
  });

  it("says what is missing", () => {
    expect(recipeProblems(withSpeculate({ prompts: "  \n" }))).toEqual([
      "Give at least one prompt for speculative decoding.",
    ]);
    expect(recipeProblems({ ...withSpeculate({ target: "Q8_0" }), types: ["Q8_0"] })).toEqual([
      "Speculative decoding needs at least one chosen type, other than the target, as its draft.",
    ]);
    expect(recipeProblems(withSpeculate({ target: "Q2_K" }))).toContain(
      "The speculative target Q2_K is not one of the chosen types.",
    );
    expect(recipeProblems(withSpeculate({ draftMax: 0 }))).toEqual([
      "The most drafted tokens per round must be 1 to 64.",
    ]);
  });
});

describe("the recipe's speculative line in History", () => {
  it("names the target, the drafts and the settings", () => {
    const recipe = sweepRecipe.parse(toSweepRecipe(withSpeculate({ target: "Q8_0", drafts: ["Q4_0"] })));
    expect(recipeLines(recipe).find((line) => line.label === "Speculative")?.value).toBe(
      "target Q8_0, drafts Q4_0, 2 prompts, 32 tokens, draft ≤ 4, 2 reps",
    );
  });
});
