// The Compress screen's recipe as the user edits it, the presets, what is wrong with it (in words),
// and its translation into the protocol's sweep recipe and dry-run quantize jobs. Pure functions.
import type { SweepRecipeInput } from "../../../shared/domain/experiment.js";
import type { GpuChoice, GpuLayersChoice } from "../../../shared/domain/gpu.js";
import type { LlamaBuildChoice } from "../../../shared/domain/llamaBuild.js";
import type { ModelRecord } from "../../../shared/domain/model.js";
import type { JobParams } from "../../../shared/protocol/jobKinds.js";
import { findQuantType } from "../../../shared/quantTypes.js";
import { chainProblems, chainText, emptyChain, toChainRecipe, type ChainForm } from "./chainForm.js";
import { emptySpeculate, speculateProblems, toSpeculateRecipe, type SpeculateForm } from "./speculateForm.js";

export type ImatrixMode = "none" | "auto" | "file";

export interface TensorOverrideRow {
  readonly pattern: string;
  readonly type: string;
}

export interface RecipeForm {
  readonly types: readonly string[];
  readonly imatrixMode: ImatrixMode;
  readonly calibrationText: string;
  readonly imatrixPath: string;
  /** With an imatrix: also make each type without it, to measure what the matrix buys. */
  readonly compareImatrix: boolean;
  readonly overrides: readonly TensorOverrideRow[];
  readonly evalOn: boolean;
  readonly evalText: string;
  readonly evalContextSize: number;
  /** null: every chunk of the text. */
  readonly evalChunks: number | null;
  readonly benchOn: boolean;
  readonly benchReps: number;
  /** The llama.cpp build and device the benchmarks, evaluations and importance matrix run on. */
  readonly gpu: GpuChoice;
  /** "auto", "max", or "count" with gpuLayerCount layers. */
  readonly gpuLayersMode: "auto" | "max" | "count";
  readonly gpuLayerCount: number | null;
  readonly allowSoftwareGpu: boolean;
  /** Prebuilt binaries, or llama.cpp compiled for this machine (CPU only). */
  readonly llamaBuild: LlamaBuildChoice;
  /** Quantize a base that is already quantized (each step loses more quality). */
  readonly allowRequantize: boolean;
  /** Prune the base and heal it before quantizing (chainForm.ts). */
  readonly chain: ChainForm;
  /** Decode a target with the other variants as drafts (speculateForm.ts). */
  readonly speculate: SpeculateForm;
}

export const emptyRecipe: RecipeForm = {
  types: [],
  imatrixMode: "none",
  calibrationText: "",
  imatrixPath: "",
  compareImatrix: false,
  overrides: [],
  evalOn: true,
  evalText: "",
  evalContextSize: 256,
  evalChunks: 8,
  benchOn: true,
  benchReps: 3,
  gpu: "auto",
  gpuLayersMode: "auto",
  gpuLayerCount: null,
  allowSoftwareGpu: false,
  llamaBuild: "prebuilt",
  allowRequantize: false,
  chain: emptyChain,
  speculate: emptySpeculate,
};

/** The device choices in the order the screen offers them, with their labels. */
export const gpuOptions: readonly { value: GpuChoice; label: string }[] = [
  { value: "auto", label: "Automatic" },
  { value: "cpu", label: "CPU only" },
  { value: "vulkan", label: "Vulkan" },
  { value: "cuda", label: "CUDA (NVIDIA)" },
  { value: "metal", label: "Metal (Apple)" },
];

/** The layers setting the jobs receive. */
export function gpuLayersOf(form: RecipeForm): GpuLayersChoice {
  if (form.gpuLayersMode === "count") return form.gpuLayerCount ?? 0;
  return form.gpuLayersMode;
}

export interface RecipePreset {
  readonly id: string;
  readonly label: string;
  readonly description: string;
  readonly types: readonly string[];
  readonly imatrix: boolean;
}

export const recipePresets: readonly RecipePreset[] = [
  {
    id: "laptop",
    label: "Laptop sweep",
    description: "From near-lossless down to 3-bit: find the knee for a 16 GB machine.",
    types: ["Q8_0", "Q6_K", "Q5_K_M", "Q4_K_M", "Q3_K_M"],
    imatrix: false,
  },
  {
    id: "phone",
    label: "Phone sweep",
    description: "Small files for phones, with an importance matrix so 2–4-bit types keep quality.",
    types: ["Q4_K_M", "Q4_0", "IQ4_XS", "Q3_K_M", "Q2_K"],
    imatrix: true,
  },
  {
    id: "near-lossless",
    label: "Near-lossless",
    description: "Only the types whose loss is hard to measure.",
    types: ["Q8_0", "Q6_K", "Q5_K_M"],
    imatrix: false,
  },
];

/** Applies a preset: its types, and the imatrix mode it needs (auto when it wants one and none is set). */
export function applyPreset(form: RecipeForm, preset: RecipePreset): RecipeForm {
  const imatrixMode: ImatrixMode = preset.imatrix
    ? form.imatrixMode === "none"
      ? "auto"
      : form.imatrixMode
    : form.imatrixMode;
  return { ...form, types: [...preset.types], imatrixMode };
}

export function toggleType(form: RecipeForm, type: string): RecipeForm {
  return form.types.includes(type)
    ? { ...form, types: form.types.filter((t) => t !== type) }
    : { ...form, types: [...form.types, type] };
}

const ggmlTensorType =
  /^(f32|f16|bf16|q4_0|q4_1|q5_0|q5_1|q8_0|q2_k|q3_k|q4_k|q5_k|q6_k|iq2_xxs|iq2_xs|iq2_s|iq3_xxs|iq3_s|iq1_s|iq1_m|iq4_nl|iq4_xs|tq1_0|tq2_0|mxfp4)$/i;

/** Everything that blocks starting the sweep, each as a sentence. Empty when it can start. */
export function recipeProblems(form: RecipeForm): string[] {
  const problems: string[] = [];
  if (form.types.length === 0) problems.push("Pick at least one quantization type.");
  const unknown = form.types.filter((t) => !findQuantType(t));
  if (unknown.length > 0) problems.push(`Unknown quantization type: ${unknown.join(", ")}.`);
  const needing = form.types.filter((t) => findQuantType(t)?.needsImatrix);
  if (needing.length > 0 && form.imatrixMode === "none") {
    problems.push(
      `${needing.join(", ")} need${needing.length === 1 ? "s" : ""} an importance matrix: choose "auto" or a file.`,
    );
  }
  if (form.imatrixMode === "auto" && !form.calibrationText.trim())
    problems.push("Give the calibration text file for the importance matrix.");
  if (form.imatrixMode === "file" && !form.imatrixPath.trim())
    problems.push("Give the path of the importance matrix file.");
  if (form.evalOn && !form.evalText.trim())
    problems.push("Give the evaluation text file, or turn the evaluation off.");
  if (form.evalOn && !(form.evalContextSize >= 16))
    problems.push("The evaluation context must be at least 16 tokens.");
  if (form.evalOn && form.evalChunks !== null && !(form.evalChunks >= 1))
    problems.push("Evaluate at least one chunk.");
  if (form.benchOn && !(form.benchReps >= 1 && form.benchReps <= 50))
    problems.push("Benchmark repetitions must be between 1 and 50.");
  if (
    form.gpuLayersMode === "count" &&
    !(form.gpuLayerCount !== null && Number.isInteger(form.gpuLayerCount) && form.gpuLayerCount >= 0)
  )
    problems.push("The number of GPU layers must be a whole number, 0 or more.");
  for (const [index, row] of overrideProblems(form.overrides)) problems.push(`Override ${index + 1}: ${row}`);
  problems.push(...chainProblems(form.chain, imatrixCalibrationText(form)));
  problems.push(...speculateProblems(form.speculate, form.types));
  return problems;
}

function overrideProblems(rows: readonly TensorOverrideRow[]): [number, string][] {
  const problems: [number, string][] = [];
  rows.forEach((row, index) => {
    if (!row.pattern.trim() && !row.type.trim()) return; // an empty row is ignored
    try {
      new RegExp(row.pattern);
    } catch {
      problems.push([index, `"${row.pattern}" is not a valid regular expression.`]);
      return;
    }
    if (!row.pattern.trim()) problems.push([index, "the tensor-name pattern is empty."]);
    else if (!ggmlTensorType.test(row.type.trim()))
      problems.push([index, `"${row.type}" is not a tensor type (e.g. q8_0, q6_K, f16).`]);
  });
  return problems;
}

/** ggml's spelling of a tensor type name: lower case except the k-quants' "_K" ("Q6_k" → "q6_K"). */
export function canonicalTensorType(name: string): string {
  return name.trim().toLowerCase().replace(/_k$/, "_K");
}

/** Override rows that are filled in. */
export function usedOverrides(form: RecipeForm): TensorOverrideRow[] {
  return form.overrides
    .filter((row) => row.pattern.trim() && row.type.trim())
    .map((row) => ({ pattern: row.pattern.trim(), type: row.type.trim() }));
}

/**
 * The sweep's type entries. Comparing with and without the matrix lists each type twice, the
 * second as "TYPE+imatrix" (the sweep then uses the matrix only there); types that cannot be made
 * without a matrix appear once, with it.
 */
export function sweepTypes(form: RecipeForm): string[] {
  if (form.imatrixMode === "none" || !form.compareImatrix) return [...form.types];
  return form.types.flatMap((type) =>
    findQuantType(type)?.needsImatrix ? [`${type}+imatrix`] : [type, `${type}+imatrix`],
  );
}

/** The importance matrix's calibration text ("" when the matrix is not computed). */
function imatrixCalibrationText(form: RecipeForm): string {
  return form.imatrixMode === "auto" ? form.calibrationText : "";
}

export function toSweepRecipe(form: RecipeForm): SweepRecipeInput {
  return {
    types: sweepTypes(form),
    imatrix: form.imatrixMode === "file" ? { path: form.imatrixPath.trim() } : form.imatrixMode,
    calibrationText:
      form.imatrixMode === "auto"
        ? form.calibrationText.trim()
        : form.chain.pruneMode === "off"
          ? null
          : chainText(form.chain, ""),
    ...toChainRecipe(form.chain),
    ...toSpeculateRecipe(form.speculate),
    evalText: form.evalOn ? form.evalText.trim() : null,
    evalContextSize: form.evalContextSize,
    evalChunks: form.evalChunks,
    bench: form.benchOn,
    benchReps: form.benchReps,
    tensorTypes: usedOverrides(form).map((row) => `${row.pattern}=${row.type}`),
    gpu: form.gpu,
    gpuLayers: gpuLayersOf(form),
    allowSoftwareGpu: form.allowSoftwareGpu,
    llamaBuild: form.llamaBuild,
    allowRequantize: form.allowRequantize,
  };
}

/**
 * A "quantize" job that only predicts: the tensor types and sizes llama.cpp would choose, no file
 * written. An importance matrix does not change sizes, so types that need one are predicted without.
 */
export function dryRunParams(
  model: Pick<ModelRecord, "id" | "path" | "sha256">,
  type: string,
  form: RecipeForm,
): JobParams<"quantize"> {
  const quant = findQuantType(type);
  if (!quant) throw new Error(`unknown quantization type "${type}"`);
  return {
    model: { modelId: model.id, path: model.path, sha256: model.sha256 },
    recipe: {
      type: quant.aliasOf ?? quant.name,
      ftype: quant.ftype,
      tensorTypes: usedOverrides(form).map((row) => ({
        pattern: row.pattern.toLowerCase(),
        type: canonicalTensorType(row.type),
      })),
    },
    dryRun: true,
  };
}
