// What `cwb search` and the Compress screen's search share: the cost estimate of a plan, the
// recipes chosen from the cached cells for some budgets, and each recipe as flags and a command line.
// The protocol calls (search.plan / search.start / search.result) are planned here too, in the
// process that owns the database.
import type { QuantizeJobParams } from "../../shared/domain/compression.js";
import type { Job } from "../../shared/domain/job.js";
import type { RecipeReport, SearchedRecipe } from "../../shared/domain/searchReport.js";
import { baselineGroupName } from "../../shared/domain/searchSensitivity.js";
import {
  searchRequest,
  type SearchOutcome,
  type SearchPlanSummary,
  type SearchRequestInput,
} from "../../shared/domain/searchSession.js";
import { llamaQuantizeCommand, searchedOverrides, shellQuote } from "../../shared/domain/searchedRecipe.js";
import { ProtocolError } from "../../shared/protocol/wire.js";
import type { JobQueue } from "../jobs/JobQueue.js";
import { planQuantize } from "../quantize/planQuantize.js";
import { groupBytes } from "../quantize/searchGroupSizes.js";
import type { Db } from "../store/Store.js";
import { chooseRecipes } from "./chooseRecipes.js";
import { planSearch, typeAllowedFor, type SearchPlan } from "./planSearch.js";
import { cellKey, readSensitivityCache } from "./sensitivityCache.js";

/** Before anything is measured: one quantization plus one evaluation of the chunks per cell. */
function roughSecondsPerCell(plan: SearchPlan): number {
  const known = [...plan.cached.values()];
  if (known.length > 0) return known.reduce((sum, cell) => sum + cell.seconds, 0) / known.length;
  const tokens = (plan.params?.settings.chunks ?? 4) * (plan.params?.settings.contextSize ?? 512);
  // ~100 MB/s to quantize, ~2·params FLOP per token at ~20 GFLOP/s on a small CPU.
  return plan.model.sizeBytes / 100e6 + (2 * plan.parameterCount * tokens) / 20e9 + 1;
}

/** Rough seconds of what is left to measure (the base pass counted as one more cell). */
export function estimateSearchSeconds(plan: SearchPlan): number {
  if (!plan.params) return 0;
  const passes = plan.params.cells.length + (plan.params.baseCachePath ? 0 : 1);
  return passes * roughSecondsPerCell(plan);
}

/** Per budget, the mix chosen from the cells cached so far (undefined: nothing fits). */
export function recipesFromCache(
  plan: SearchPlan,
  budgets: readonly number[],
): (SearchedRecipe | undefined)[] {
  return chooseRecipes(
    {
      groups: plan.groups,
      types: plan.types,
      baselineType: plan.baseline.type,
      cells: readSensitivityCache(plan.cacheFile),
      fixedBytes: plan.fixedBytes,
      alignment: plan.alignment,
      imatrixTensors: plan.imatrixTensors,
    },
    budgets,
  );
}

/** The recipe as `cwb quantize` overrides and the equivalent llama-quantize line (not validated). */
export function describeRecipe(plan: SearchPlan, recipe: SearchedRecipe): RecipeReport {
  // Groups left at the baseline need no override: the baseline is the file type.
  const overrides = searchedOverrides(recipe.choices.filter((choice) => choice.type !== plan.baseline.type));
  const tensorTypeFlags = overrides.tensorTypes.map((o) => `${o.pattern}=${o.type}`);
  return {
    recipe,
    tensorTypeFlags,
    tokenEmbeddingType: overrides.tokenEmbeddingType,
    outputTensorType: overrides.outputTensorType,
    llamaQuantize: llamaQuantizeCommand(
      plan.model.path,
      "OUT.gguf",
      plan.baseline.type,
      overrides,
      plan.imatrixPath,
    ),
    cwbQuantize: [
      `--type ${plan.baseline.type}`,
      ...(plan.imatrixPath ? [`--imatrix ${shellQuote(plan.imatrixPath)}`] : []),
      ...tensorTypeFlags.map((flag) => `--tensor-type ${shellQuote(flag)}`),
      ...(overrides.tokenEmbeddingType ? [`--token-embedding-type ${overrides.tokenEmbeddingType}`] : []),
      ...(overrides.outputTensorType ? [`--output-tensor-type ${overrides.outputTensorType}`] : []),
    ].join(" "),
    validation: null,
  };
}

/** The quantize job that writes the recipe, recorded with its searched provenance. */
export async function planSearchedQuantize(
  db: Db,
  dataDir: string,
  plan: SearchPlan,
  report: RecipeReport,
  threads: number | null,
): Promise<QuantizeJobParams> {
  const quantize = await planQuantize(db, dataDir, {
    model: plan.model.id,
    type: plan.baseline.type,
    imatrix: plan.imatrixPath,
    tensorTypes: report.tensorTypeFlags,
    tokenEmbeddingType: report.tokenEmbeddingType,
    outputTensorType: report.outputTensorType,
    threads,
  });
  quantize.recipe.searched = {
    budgetBytes: report.recipe.budgetBytes,
    predictedKld: report.recipe.predictedKld,
    sensitivityCache: plan.cacheFile,
  };
  return quantize;
}

export interface SearchSessionHost {
  readonly db: Db;
  readonly dataDir: string;
  readonly jobs: JobQueue;
}

async function planned(host: SearchSessionHost, input: SearchRequestInput): Promise<SearchPlan> {
  const request = searchRequest.parse(input);
  try {
    return await planSearch(host.db, host.dataDir, {
      model: request.modelId,
      textPath: request.textPath,
      types: request.types,
      baseline: request.baseline,
      settings: { chunks: request.chunks, contextSize: request.contextSize },
    });
  } catch (error) {
    // Planning errors are the user's input (a missing text, an unknown type): say so in words.
    if (error instanceof ProtocolError) throw error;
    throw new ProtocolError("BAD_REQUEST", error instanceof Error ? error.message : String(error));
  }
}

export async function summarizeSearch(
  host: SearchSessionHost,
  input: SearchRequestInput,
): Promise<SearchPlanSummary> {
  const plan = await planned(host, input);
  const toMeasure = plan.params?.cells.length ?? 0;
  const sizes = plan.groups.map((group) =>
    plan.types
      .filter((type) => typeAllowedFor(group, type, plan.imatrixTensors))
      .map((type) => groupBytes(group, type, plan.alignment)),
  );
  return {
    groups: plan.groups.map((group) => group.name),
    types: plan.types,
    baselineType: plan.baseline.type,
    cellsTotal: plan.cellsTotal,
    cellsCached: plan.cellsTotal - toMeasure,
    cellsToMeasure: toMeasure,
    basePass: plan.params !== null && plan.params.baseCachePath === null,
    etaSeconds: estimateSearchSeconds(plan),
    parameterCount: plan.parameterCount,
    minBytes: plan.fixedBytes + sizes.reduce((sum, options) => sum + Math.min(...options), 0),
    maxBytes: plan.fixedBytes + sizes.reduce((sum, options) => sum + Math.max(...options), 0),
    uniformBytes: plan.types
      .filter((type) => plan.groups.every((group) => typeAllowedFor(group, type, plan.imatrixTensors)))
      .map((type) => ({
        type,
        bytes: plan.groups.reduce(
          (sum, group) => sum + groupBytes(group, type, plan.alignment),
          plan.fixedBytes,
        ),
      })),
  };
}

/** Queues the sensitivity pass for the cells not cached yet; null when nothing is left to measure. */
export async function startSearch(host: SearchSessionHost, input: SearchRequestInput): Promise<Job | null> {
  const plan = await planned(host, input);
  return plan.params ? host.jobs.enqueue("search.sensitivity", plan.params) : null;
}

/** Queues the quantization of the mix chosen for one budget (the UI then evaluates the variant). */
export async function startSearchedQuantize(
  host: SearchSessionHost,
  input: SearchRequestInput,
  budget: number,
): Promise<Job> {
  const plan = await planned(host, input);
  const recipe = plan.params ? undefined : recipesFromCache(plan, [budget])[0];
  if (!recipe)
    throw new ProtocolError(
      "BAD_REQUEST",
      plan.params ? "the sensitivity pass is not finished" : "even the smallest candidate mix does not fit",
    );
  const params = await planSearchedQuantize(host.db, host.dataDir, plan, describeRecipe(plan, recipe), null);
  return host.jobs.enqueue("quantize", params);
}

export async function searchOutcome(
  host: SearchSessionHost,
  input: SearchRequestInput,
  budgets: readonly number[],
): Promise<SearchOutcome> {
  const plan = await planned(host, input);
  const cached = readSensitivityCache(plan.cacheFile);
  const baseline = cached.get(cellKey(baselineGroupName, plan.baseline.type));
  return {
    cells: [...cached.values()]
      .filter((cell) => cell.group !== baselineGroupName)
      .map((cell) => ({ group: cell.group, type: cell.type, kld: cell.kld })),
    baselineKld: baseline?.kld ?? null,
    recipes: plan.params
      ? budgets.map(() => null)
      : recipesFromCache(plan, budgets).map((recipe) => (recipe ? describeRecipe(plan, recipe) : null)),
  };
}
