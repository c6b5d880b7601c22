// What `cwb search` reports (its --json output and --out file): per budget the chosen mix, its
// overrides and command line, and its validation on held-out text; and what the sensitivity pass
// cost. Shared so the bench and the tests read the same shape the CLI writes.
import type { z } from "zod";
import type { recipeReport } from "./searchSession.js";

/**
 * budgetBytes; bytes: the predicted file size (header and unsearched tensors included);
 * predictedKld: the baseline's KLD plus the summed group losses; choices: one type per group.
 */
export type SearchedRecipe = z.infer<typeof recipeReport>["recipe"];

/** What the sensitivity job cost; the base pass (same text and chunks) is the unit. */
export interface SensitivityCost {
  passes: number;
  seconds: number;
  /** Null when the base distributions were already cached. */
  basePassSeconds: number | null;
}

/** The mix as overrides, `cwb quantize` flags and a llama-quantize line; validation with --heldout. */
export type RecipeReport = z.infer<typeof recipeReport>;

export interface SearchReport {
  cellsMeasured: number;
  cellsCached: number;
  /** Null when every cell was cached. */
  sensitivity: SensitivityCost | null;
  recipes: RecipeReport[];
}
