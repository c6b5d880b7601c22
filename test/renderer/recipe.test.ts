// The Compress screen's recipe logic: presets, validation in words, the sweep recipe it sends (checked
// against the protocol's own schema) and the dry-run job parameters (checked against the job kind's).
import { describe, expect, it } from "vitest";
import { sweepRecipe } from "../../src/shared/domain/experiment.js";
import { jobKinds } from "../../src/shared/protocol/jobKinds.js";
import { findQuantType } from "../../src/shared/quantTypes.js";
import {
  applyPreset,
  canonicalTensorType,
  dryRunParams,
  emptyRecipe,
  gpuLayersOf,
  gpuOptions,
  recipePresets,
  recipeProblems,
  sweepTypes,
  toSweepRecipe,
  toggleType,
  type RecipeForm,
} from "../../src/renderer/pages/compress/recipeForm.js";
import { offeredTypes, typicalLoss } from "../../src/renderer/pages/compress/quantTypeChoices.js";
import { describeJobCounts, recipeLines } from "../../src/renderer/pages/history/recipeSummary.js";

const preset = (id: string) => recipePresets.find((p) => p.id === id)!;
const ready: RecipeForm = { ...emptyRecipe, evalText: "/data/eval.txt" };

describe("presets", () => {
  it("hold the issue's three sweeps, all offered and known to llama.cpp", () => {
    expect(preset("laptop").types).toEqual(["Q8_0", "Q6_K", "Q5_K_M", "Q4_K_M", "Q3_K_M"]);
    expect(preset("phone").types).toEqual(["Q4_K_M", "Q4_0", "IQ4_XS", "Q3_K_M", "Q2_K"]);
    expect(preset("near-lossless").types).toEqual(["Q8_0", "Q6_K", "Q5_K_M"]);
    for (const p of recipePresets)
      for (const t of p.types) expect(offeredTypes.map((q) => q.name)).toContain(t);
  });

  it("the phone sweep switches the importance matrix on", () => {
    const form = applyPreset(ready, preset("phone"));
    expect(form.imatrixMode).toBe("auto");
    expect(recipeProblems(form)).toEqual(["Give the calibration text file for the importance matrix."]);
    expect(recipeProblems({ ...form, calibrationText: "/data/calib.txt" })).toEqual([]);
  });

  it("toggling adds and removes a type", () => {
    const once = toggleType(ready, "Q4_K_M");
    expect(once.types).toEqual(["Q4_K_M"]);
    expect(toggleType(once, "Q4_K_M").types).toEqual([]);
  });
});

describe("recipe problems", () => {
  it("need a type, and an imatrix for the types that need one", () => {
    expect(recipeProblems(ready)).toEqual(["Pick at least one quantization type."]);
    expect(recipeProblems({ ...ready, types: ["IQ2_XS", "Q4_K_M"] })).toEqual([
      'IQ2_XS needs an importance matrix: choose "auto" or a file.',
    ]);
  });

  it("need the evaluation text only while evaluation is on", () => {
    const form = { ...ready, types: ["Q8_0"], evalText: "" };
    expect(recipeProblems(form)).toEqual(["Give the evaluation text file, or turn the evaluation off."]);
    expect(recipeProblems({ ...form, evalOn: false })).toEqual([]);
  });

  it("check override rows and ignore empty ones", () => {
    const form = {
      ...ready,
      types: ["Q4_K_M"],
      overrides: [
        { pattern: "(", type: "q8_0" },
        { pattern: "attn_v", type: "q9_0" },
        { pattern: "", type: "" },
      ],
    };
    expect(recipeProblems(form)).toEqual([
      'Override 1: "(" is not a valid regular expression.',
      'Override 2: "q9_0" is not a tensor type (e.g. q8_0, q6_K, f16).',
    ]);
  });
});

describe("what is sent", () => {
  it("the sweep recipe passes the protocol schema", () => {
    const form: RecipeForm = {
      ...applyPreset(ready, preset("laptop")),
      benchReps: 1,
      evalContextSize: 128,
      evalChunks: 2,
    };
    const recipe = sweepRecipe.parse(toSweepRecipe(form));
    expect(recipe).toMatchObject({
      types: preset("laptop").types,
      imatrix: "none",
      calibrationText: null,
      evalText: "/data/eval.txt",
      evalContextSize: 128,
      evalChunks: 2,
      bench: true,
      benchReps: 1,
    });
    expect(
      sweepRecipe.parse(toSweepRecipe({ ...form, imatrixMode: "file", imatrixPath: " /m.imatrix " })).imatrix,
    ).toEqual({ path: "/m.imatrix" });
    // Per-tensor overrides travel with the sweep, as llama-quantize's REGEX=TYPE.
    expect(
      sweepRecipe.parse(
        toSweepRecipe({
          ...form,
          overrides: [
            { pattern: " attn_v ", type: "q8_0" },
            { pattern: "", type: "" },
          ],
        }),
      ).tensorTypes,
    ).toEqual(["attn_v=q8_0"]);
    expect(sweepRecipe.parse(toSweepRecipe({ ...form, evalOn: false })).evalText).toBeNull();
    // "Allow requantizing" (the remedy of a base that is already quantized) travels too; off by default.
    expect(sweepRecipe.parse(toSweepRecipe(form)).allowRequantize).toBe(false);
    expect(sweepRecipe.parse(toSweepRecipe({ ...form, allowRequantize: true })).allowRequantize).toBe(true);
    expect(sweepRecipe.parse({ types: ["Q8_0"] }).allowRequantize).toBe(false);
  });

  it("the device settings travel with the sweep; the defaults are today's automatic choice", () => {
    const form: RecipeForm = { ...applyPreset(ready, preset("laptop")) };
    expect(sweepRecipe.parse(toSweepRecipe(form))).toMatchObject({
      gpu: "auto",
      gpuLayers: "auto",
      allowSoftwareGpu: false,
    });
    // A recipe recorded before the settings existed reads as the same defaults.
    expect(sweepRecipe.parse({ types: ["Q8_0"] })).toMatchObject({
      gpu: "auto",
      gpuLayers: "auto",
      allowSoftwareGpu: false,
    });
    const chosen: RecipeForm = {
      ...form,
      gpu: "vulkan",
      gpuLayersMode: "count",
      gpuLayerCount: 3,
      allowSoftwareGpu: true,
    };
    expect(recipeProblems(chosen)).toEqual([]);
    expect(sweepRecipe.parse(toSweepRecipe(chosen))).toMatchObject({
      gpu: "vulkan",
      gpuLayers: 3,
      allowSoftwareGpu: true,
    });
    expect(gpuLayersOf({ ...form, gpuLayersMode: "max" })).toBe("max");
    expect(recipeProblems({ ...chosen, gpuLayerCount: null })).toEqual([
      "The number of GPU layers must be a whole number, 0 or more.",
    ]);
    expect(recipeProblems({ ...chosen, gpuLayerCount: 1.5 })).toHaveLength(1);
    expect(gpuOptions.map((o) => o.value)).toEqual(["auto", "cpu", "vulkan", "cuda", "metal"]);
    expect(recipeLines(toSweepRecipe(chosen))).toContainEqual({
      label: "Device",
      value: "Vulkan, 3 layers on the GPU, software GPU devices allowed",
    });
  });

  it("dry-run params pass the quantize kind's schema, with ggml's spelling of override types", () => {
    const form = { ...ready, overrides: [{ pattern: "FFN_DOWN", type: "Q6_k" }] };
    const params = jobKinds.quantize.params.parse(
      dryRunParams({ id: "m1", path: "/m.gguf", sha256: "ab" }, "q4_k", form),
    );
    expect(params.dryRun).toBe(true);
    expect(params.recipe.type).toBe("Q4_K_M"); // the alias resolves
    expect(params.recipe.ftype).toBe(findQuantType("Q4_K_M")!.ftype);
    expect(params.recipe.tensorTypes).toEqual([{ pattern: "ffn_down", type: "q6_K" }]);
    expect(canonicalTensorType("IQ4_XS")).toBe("iq4_xs");
  });
});

describe("type list and history lines", () => {
  it("explains quality loss by bits per weight", () => {
    expect(typicalLoss(findQuantType("Q8_0")!)).toBe("negligible");
    expect(typicalLoss(findQuantType("Q4_K_M")!)).toBe("moderate");
    expect(typicalLoss(findQuantType("Q2_K")!)).toBe("large");
    expect(offeredTypes.some((q) => q.name === "F32" || q.aliasOf || q.copyOnly)).toBe(false);
  });

  it("describes a stored recipe and job counts", () => {
    const lines = recipeLines({
      types: ["Q8_0", "Q2_K"],
      imatrix: "auto",
      calibrationText: "/d/calib.txt",
      evalText: "/d/wiki.txt",
      evalContextSize: 128,
      evalChunks: 1,
      bench: true,
      benchReps: 1,
    });
    expect(lines).toContainEqual({ label: "Types", value: "Q8_0, Q2_K" });
    expect(lines).toContainEqual({ label: "Importance matrix", value: "computed from calib.txt" });
    expect(lines).toContainEqual({ label: "Evaluation", value: "wiki.txt, context 128, 1 chunk" });
    expect(lines).toContainEqual({ label: "Benchmark", value: "1 rep" });
    expect(recipeLines("garbage")).toEqual([{ label: "Recipe", value: '"garbage"' }]);
    expect(describeJobCounts({ succeeded: 3, failed: 1, running: 1 })).toBe(
      "1 running, 3 succeeded, 1 failed",
    );
    expect(describeJobCounts({})).toBe("no jobs");
  });
});

describe("with and without the importance matrix", () => {
  it("lists each type twice, the second as TYPE+imatrix, except types that need the matrix", () => {
    const form: RecipeForm = {
      ...ready,
      types: ["Q4_K_M", "IQ2_XS"],
      imatrixMode: "auto",
      calibrationText: "/c.txt",
      compareImatrix: true,
    };
    expect(sweepTypes(form)).toEqual(["Q4_K_M", "Q4_K_M+imatrix", "IQ2_XS+imatrix"]);
    expect(sweepRecipe.parse(toSweepRecipe(form)).types).toEqual([
      "Q4_K_M",
      "Q4_K_M+imatrix",
      "IQ2_XS+imatrix",
    ]);
    expect(recipeProblems(form)).toEqual([]);
  });

  it("is ignored without a matrix", () => {
    expect(sweepTypes({ ...ready, types: ["Q4_K_M"], compareImatrix: true })).toEqual(["Q4_K_M"]);
  });
});
