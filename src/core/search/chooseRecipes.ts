// From measured cells to recipes: each group's options are its candidate types with their exact
// bytes (as written, padded) and their predicted loss, the cell's KLD minus the baseline's (the
// additive model: a recipe's KLD is predicted as the baseline's plus the sum of its groups' losses).
// A difference below zero is measurement noise around "no loss" and counts as zero.
import type { MeasuredCell } from "../../shared/domain/searchSensitivity.js";
import { baselineGroupName } from "../../shared/domain/searchSensitivity.js";
import type { SearchedRecipe } from "../../shared/domain/searchReport.js";
import { bestMixWithin, mixFront, type MixGroup } from "../../shared/metrics/mixKnapsack.js";
import { groupBytes, type SearchGroup } from "../quantize/searchGroupSizes.js";
import { cellKey } from "./sensitivityCache.js";
import { typeAllowedFor, typeNeedsImatrix } from "./planSearch.js";

export interface RecipeInputs {
  groups: readonly SearchGroup[];
  types: readonly string[];
  baselineType: string;
  cells: ReadonlyMap<string, MeasuredCell>;
  fixedBytes: number;
  alignment: number;
  /** The tensors the importance matrix covers; null without one. */
  imatrixTensors: ReadonlySet<string> | null;
}

export function lossGroups(inputs: RecipeInputs): MixGroup[] {
  const baselineKld = baselineCell(inputs).kld.value;
  return inputs.groups.map((group) => ({
    name: group.name,
    options: inputs.types
      .filter((type) => typeAllowedFor(group, type, inputs.imatrixTensors))
      .map((type) => {
        const cell = type === inputs.baselineType ? null : inputs.cells.get(cellKey(group.name, type));
        if (type !== inputs.baselineType && !cell)
          throw new Error(`recipe search: ${group.name} at ${type} was not measured`);
        return {
          type,
          bytes: groupBytes(group, type, inputs.alignment),
          loss: cell ? Math.max(0, cell.kld.value - baselineKld) : 0,
          needsImatrix: typeNeedsImatrix(type),
        };
      }),
  }));
}

function baselineCell(inputs: RecipeInputs): MeasuredCell {
  const cell = inputs.cells.get(cellKey(baselineGroupName, inputs.baselineType));
  if (!cell) throw new Error("recipe search: the baseline was not measured");
  return cell;
}

/** One recipe per budget (file bytes), in the budgets' order; undefined when nothing fits. */
export function chooseRecipes(
  inputs: RecipeInputs,
  budgets: readonly number[],
): (SearchedRecipe | undefined)[] {
  const mixGroups = lossGroups(inputs);
  const front = mixFront(mixGroups, {
    hasImatrix: inputs.imatrixTensors !== null,
    maxBytes: Math.max(...budgets) - inputs.fixedBytes,
  });
  const baselineKld = baselineCell(inputs).kld.value;
  return budgets.map((budgetBytes) => {
    const mix = bestMixWithin(front, budgetBytes - inputs.fixedBytes);
    if (!mix) return undefined;
    return {
      budgetBytes,
      bytes: mix.bytes + inputs.fixedBytes,
      predictedKld: baselineKld + mix.loss,
      choices: inputs.groups.map((group) => ({
        name: group.name,
        pattern: group.pattern,
        type: mix.types.get(group.name)!,
      })),
    };
  });
}
