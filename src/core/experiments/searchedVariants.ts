// Mixes found by the search (`cwb search --heldout`, Compress → "Quantize and validate") are made by
// standalone quantize jobs, outside any experiment. Compare shows them on an experiment's Pareto
// charts when they derive from the same base and were evaluated on the same text with the same context as
// its members, so their KLD is measured the same way as the stock types'.
import type { RunRecord } from "../../shared/domain/run.js";
import { formatBytes } from "../../shared/format.js";
import type { Db } from "../store/Store.js";
import { getModelById } from "../store/models.js";
import { listChildVariants } from "../store/variants.js";

/** True when a variant's recipe records the search that chose it (compression.ts `searched`). */
export function isSearchedRecipe(recipe: unknown): boolean {
  if (typeof recipe !== "object" || recipe === null) return false;
  const searched = (recipe as Record<string, unknown>).searched;
  return typeof searched === "object" && searched !== null;
}

const contextSizeOf = (run: RunRecord): unknown =>
  typeof run.settings === "object" && run.settings !== null
    ? (run.settings as Record<string, unknown>).contextSize
    : undefined;

/**
 * Two evaluations measure KLD alike when they scored the same text with the same context size (the
 * chunk count changes only the spread).
 */
export function sameEvaluation(a: RunRecord | undefined, b: RunRecord | undefined): boolean {
  return (
    a !== undefined &&
    b !== undefined &&
    a.textSetId !== null &&
    a.textSetId === b.textSetId &&
    contextSizeOf(a) === contextSizeOf(b)
  );
}

/** How a searched variant is named in the chart and the table: by its size, as the mix has many types. */
export function searchedLabel(sizeBytes: number): string {
  return `searched ${formatBytes(sizeBytes)}`;
}

/**
 * The searched variants of the base not already members of the experiment, each with its label,
 * oldest first; `evaluatedAlike` says whether the variant's evaluation matches the members' (the
 * caller owns the run lookups).
 */
export function searchedVariantsToShow(
  db: Db,
  baseModelId: string | null,
  memberIds: ReadonlySet<string>,
  evaluatedAlike: (modelId: string) => boolean,
): { modelId: string; label: string }[] {
  if (!baseModelId) return [];
  return listChildVariants(db, baseModelId)
    .filter((v) => isSearchedRecipe(v.recipe) && !memberIds.has(v.modelId) && evaluatedAlike(v.modelId))
    .flatMap((v) => {
      const model = getModelById(db, v.modelId);
      return model ? [{ modelId: v.modelId, label: searchedLabel(model.sizeBytes) }] : [];
    });
}
