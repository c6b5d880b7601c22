// Recipe search's sensitivity pass (job kind "search.sensitivity"): for each (tensor group, type)
// cell, the model quantized at a high-precision baseline with only that group at the type, and the
// KLD of that file to the base's cached distributions on a few chunks. One worker loops over every
// cell; measured cells are cached (core/search/sensitivityCache.ts) so a re-run measures nothing.
import { z } from "zod";
import { basePassOutput, estimate, evalSettings } from "./eval.js";
import { jobModelRef } from "./compression.js";

export const searchGroupRef = z.object({
  /** "ffn_down@0-3", "token_embd", "output" */
  name: z.string().min(1),
  /** The --tensor-type regular expression selecting exactly the group's tensors. */
  pattern: z.string().min(1),
});
export type SearchGroupRef = z.infer<typeof searchGroupRef>;

/** The baseline itself is the cell with group "*" (everything at the baseline type). */
export const baselineGroupName = "*";

export const sensitivityCell = z.object({ group: z.string(), type: z.string() });

export const searchSensitivityParams = z.object({
  model: jobModelRef,
  text: z.object({ path: z.string().min(1), sha256: z.string(), textSetId: z.string().nullable() }),
  imatrix: z.object({ path: z.string().min(1), sha256: z.string() }).nullable(),
  /** The llama-quantize file type every tensor outside the measured group gets (e.g. Q8_0). */
  baseline: z.object({ type: z.string(), ftype: z.number().int() }),
  settings: evalSettings,
  /** Cached base distributions for these settings, or null: the job computes them first. */
  baseCachePath: z.string().nullable(),
  groups: z.array(searchGroupRef).min(1),
  /** Only the cells not cached yet; the baseline cell first when it is missing. */
  cells: z.array(sensitivityCell).min(1),
  threads: z.number().int().min(1).nullable().default(null),
  /** The cache's log of measured cells, appended to after each cell (core/search/sensitivityCache.ts). */
  cellsLogPath: z.string().nullable().default(null),
});
export type SearchSensitivityParams = z.output<typeof searchSensitivityParams>;

export const measuredCell = z.object({
  group: z.string(),
  type: z.string(),
  kld: estimate,
  ppl: estimate,
  /** Wall time of the quantization and the evaluation of this cell. */
  seconds: z.number(),
});
export type MeasuredCell = z.infer<typeof measuredCell>;

export const searchSensitivityValue = z.object({
  /** The base pass, when the job computed the base distributions. */
  base: basePassOutput.nullable(),
  cells: z.array(measuredCell),
  chunks: z.number().int(),
  /** Seconds of the base pass (null when it was cached): the unit of the search's cost. */
  basePassSeconds: z.number().nullable(),
});
export type SearchSensitivityValue = z.infer<typeof searchSensitivityValue>;

export const searchSensitivityResult = z.object({
  cells: z.array(measuredCell),
  baseCachePath: z.string(),
  cacheFile: z.string(),
  chunks: z.number().int(),
  basePassSeconds: z.number().nullable(),
});
export type SearchSensitivityResult = z.infer<typeof searchSensitivityResult>;
