// What `cwb search` reports (its --json output and --out file): per budget the chosen mix, its
// overrides and command line, and its validation on held-out text; and what the sensitivity pass
// cost. Shared so the bench and the tests read the same shape the CLI writes.
import type { SearchedGroupChoice } from "./searchedRecipe.js";

export interface SearchedRecipe {
  budgetBytes: number;
  /** Predicted file size (header and unsearched tensors included). */
  bytes: number;
  /** Baseline KLD plus the summed group losses. */
  predictedKld: number;
  choices: SearchedGroupChoice[];
}

/** What the sensitivity job cost; the base pass (same text and chunks) is the unit. */
export interface SensitivityCost {
  passes: number;
  seconds: number;
  /** Null when the base distributions were already cached. */
  basePassSeconds: number | null;
}

interface Estimate {
  value: number;
  uncertainty: number;
}

export interface RecipeReport {
  recipe: SearchedRecipe;
  /** The `cwb quantize --type BASELINE --tensor-type …` overrides. */
  tensorTypeFlags: string[];
  tokenEmbeddingType: string | null;
  outputTensorType: string | null;
  llamaQuantize: string;
  validation: { modelId: string; sizeBytes: number; kld: Estimate; ppl: Estimate } | null;
}

export interface SearchReport {
  cellsMeasured: number;
  cellsCached: number;
  /** Null when every cell was cached. */
  sensitivity: SensitivityCost | null;
  recipes: RecipeReport[];
}
