// Rows of variants of one base must be told apart: the label adds the recipe (or the file type).
import { describe, expect, it } from "vitest";
import { modelLabel, recipeTag } from "../../src/shared/modelLabel.js";

const base = {
  fileName: "model.gguf",
  recipe: null,
  metadata: { name: "cwb-reference", fileType: "ALL_F32" },
};

describe("modelLabel", () => {
  it("names variants of one base by their recipes, and a base by its file type", () => {
    const q4 = {
      ...base,
      fileName: "model.Q4_K_M.gguf",
      metadata: { ...base.metadata, fileType: "MOSTLY_Q4_K_M" },
    };
    const labels = [
      modelLabel(base),
      modelLabel({ ...q4, recipe: { type: "Q4_K_M", imatrix: null, tensorTypes: [] } }),
      modelLabel({ ...q4, recipe: { type: "Q4_K_M", imatrix: { path: "/x.dat" }, tensorTypes: [] } }),
      modelLabel({ ...base, recipe: { dropped: [1, 2], originalBlockCount: 4 } }),
      modelLabel({ ...base, recipe: { method: "width", keep: 0.5 } }),
      modelLabel({ ...base, recipe: { teacher: { modelId: "t" } } }),
    ];
    expect(labels).toEqual([
      "cwb-reference · F32",
      "cwb-reference · Q4_K_M",
      "cwb-reference · Q4_K_M + imatrix",
      "cwb-reference · 2 blocks dropped",
      "cwb-reference · width-pruned",
      "cwb-reference · distilled",
    ]);
    expect(new Set(labels).size).toBe(labels.length);
  });

  it("falls back to the file name and says nothing of a recipe it cannot read", () => {
    expect(modelLabel({ ...base, metadata: { name: null, fileType: null } })).toBe("model.gguf");
    expect(recipeTag({ something: "else" })).toBeNull();
  });
});
