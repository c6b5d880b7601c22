// The recipe search as the UI drives it over the protocol (search.plan / search.start /
// search.result): the same request the CLI's `cwb search` flags make, what it will cost before it
// runs, and per budget the chosen mix with the measured cells behind it (the heat map).
import { z } from "zod";
import { estimate } from "./eval.js";

export const searchRequest = z.object({
  modelId: z.string().min(1),
  textPath: z.string().min(1),
  types: z.array(z.string().min(1)).min(1),
  baseline: z.string().min(1).default("Q8_0"),
  chunks: z.number().int().min(1).default(4),
  contextSize: z.number().int().min(16).default(512),
});
export type SearchRequestInput = z.input<typeof searchRequest>;

export const searchPlanSummary = z.object({
  groups: z.array(z.string()),
  /** Candidate types, the baseline included. */
  types: z.array(z.string()),
  baselineType: z.string(),
  cellsTotal: z.number().int(),
  cellsCached: z.number().int(),
  cellsToMeasure: z.number().int(),
  /** Whether the base distributions must be computed first (one more pass). */
  basePass: z.boolean(),
  /** Rough wall time of what is left to measure (from cached cells' times when there are some). */
  etaSeconds: z.number(),
  parameterCount: z.number(),
  /** The smallest and largest mix the candidates allow (whole file). */
  minBytes: z.number(),
  maxBytes: z.number(),
  /** The whole file with every group at one candidate type (the slider's marks). */
  uniformBytes: z.array(z.object({ type: z.string(), bytes: z.number() })),
});
export type SearchPlanSummary = z.infer<typeof searchPlanSummary>;

const searchedRecipe = z.object({
  budgetBytes: z.number(),
  bytes: z.number(),
  predictedKld: z.number(),
  choices: z.array(z.object({ pattern: z.string(), name: z.string(), type: z.string() })),
});

export const recipeReport = z.object({
  recipe: searchedRecipe,
  tensorTypeFlags: z.array(z.string()),
  tokenEmbeddingType: z.string().nullable(),
  outputTensorType: z.string().nullable(),
  llamaQuantize: z.string(),
  /** The whole `cwb quantize` argument list after the model. */
  cwbQuantize: z.string(),
  validation: z
    .object({ modelId: z.string(), sizeBytes: z.number(), kld: estimate, ppl: estimate })
    .nullable(),
});

export const searchOutcome = z.object({
  /** Every measured cell of this search (cached ones included): group × type → KLD. */
  cells: z.array(z.object({ group: z.string(), type: z.string(), kld: estimate })),
  baselineKld: estimate.nullable(),
  /** Per budget, in order; null when even the smallest mix does not fit, or cells are missing. */
  recipes: z.array(recipeReport.nullable()),
});
export type SearchOutcome = z.infer<typeof searchOutcome>;
