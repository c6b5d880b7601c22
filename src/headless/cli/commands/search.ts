// `cwb search MODEL --budget SIZE[,SIZE...]|--bpw B --text CALIB`: the per-tensor quantization mix
// that loses least under a size budget, by measurement. A "search.sensitivity" job measures what the
// cache does not hold yet (core/search/planSearch.ts), the exact knapsack picks one type per group
// for every budget (core/search/chooseRecipes.ts), and with --heldout each recipe is quantized for
// real (a "quantize" job: the variant records its recipe) and evaluated on the held-out text.
import type { Command } from "commander";
import { planEvaluation } from "../../../core/eval/planEvaluation.js";
import {
  describeRecipe,
  estimateSearchSeconds,
  planSearchedQuantize,
  recipesFromCache,
} from "../../../core/search/searchSession.js";
import type {
  RecipeReport,
  SearchedRecipe,
  SearchReport,
  SensitivityCost,
} from "../../../shared/domain/searchReport.js";
import { planSearch, type SearchPlan } from "../../../core/search/planSearch.js";
import { writeFileAtomic } from "../../../core/writeFileAtomic.js";
import type { ImatrixJobResult, QuantizeJobResult } from "../../../shared/domain/compression.js";
import { findImatrix } from "../../../core/experiments/reusableResults.js";
import { planImatrix } from "../../../core/quantize/planImatrix.js";
import type { EvalJobResult } from "../../../shared/domain/eval.js";
import type { SearchSensitivityResult } from "../../../shared/domain/searchSensitivity.js";
import { formatBytes, formatDuration } from "../../../shared/format.js";
import type { CliContext } from "../context.js";
import type { Output } from "../output.js";
import { integerOption, numberOption } from "../parseOptions.js";
import { runJobInForeground } from "../runJobInForeground.js";

/** `--imatrix auto`: the matrix recorded for this model and text, or a new one made from it. */
async function imatrixForSearch(
  context: CliContext,
  model: string,
  text: string,
  threads: number | null,
): Promise<string | null> {
  const { db, paths } = context.workbench();
  const params = await planImatrix(db, paths.dataDir, { model, text, settings: { threads } });
  const recorded = findImatrix(db, params.model.modelId, params.text.textSetId, params.settings);
  if (recorded) {
    context.output.note(`reusing importance matrix ${recorded.path}`);
    return recorded.path;
  }
  const job = await runJobInForeground(context, "imatrix", params, { printResult: false });
  return job.state === "succeeded" ? (job.result as ImatrixJobResult).path : null;
}

interface SearchCommandOptions {
  budget?: string;
  bpw?: string;
  text: string;
  types?: string;
  imatrix?: string;
  baseline: string;
  band?: string;
  ctx: string;
  chunks: string;
  heldout?: string;
  heldoutChunks?: string;
  threads?: string;
  out?: string;
}

const units: Record<string, number> = {
  "": 1,
  B: 1,
  K: 1e3,
  KB: 1e3,
  M: 1e6,
  MB: 1e6,
  G: 1e9,
  GB: 1e9,
  KIB: 1024,
  MIB: 1024 ** 2,
  GIB: 1024 ** 3,
};

/** "2.5GB", "300MiB", "123456789" → bytes. */
export function parseSize(flag: string, text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const unit = match ? units[match[2]!.toUpperCase()] : undefined;
  if (!match || unit === undefined)
    throw new Error(`${flag}: expected a size such as 2.5GB, 300MiB or a byte count, got "${text}"`);
  return Math.floor(Number(match[1]) * unit);
}

export function registerSearchCommands(program: Command, context: CliContext): void {
  program
    .command("search")
    .description("find the per-tensor quantization mix that loses least within a size budget")
    .argument("<model>", "library id/name or GGUF path of the unquantized model")
    .option("--budget <sizes>", "file size budget(s), comma-separated (e.g. 2.5GB,3GB or bytes)")
    .option("--bpw <bits>", "budget in bits per weight of the whole file")
    .requiredOption("--text <file>", "calibration text for the sensitivity pass")
    .option("--types <list>", "candidate tensor types, comma-separated (default Q3_K,Q4_K,Q5_K,Q6_K)")
    .option(
      "--imatrix <file|auto>",
      "importance matrix for every quantization; auto: the one made from --text, computed when missing",
    )
    .option("--baseline <type>", "file type of everything outside the measured group", "Q8_0")
    .option("--band <n>", "blocks per group (default: 1 up to 8 blocks, else 8 bands)")
    .option("--ctx <n>", "tokens per chunk", "512")
    .option("--chunks <n>", "chunks scored per sensitivity cell", "4")
    .option("--heldout <file>", "validate: quantize each recipe and evaluate it on this text")
    .option("--heldout-chunks <n>", "chunks of the held-out text (default: all)")
    .option("--threads <n>", "threads (default: all)")
    .option("--out <path>", "also write the recipes (and validation) as JSON to this file")
    .action(async (model: string, options: SearchCommandOptions) => {
      if (!options.budget === !options.bpw) throw new Error("search: give either --budget or --bpw");
      const threads = options.threads === undefined ? null : integerOption("--threads", options.threads, 1);
      const workbench = context.workbench();
      const { output } = context;
      let imatrix = options.imatrix ?? null;
      if (imatrix === "auto") {
        imatrix = await imatrixForSearch(context, model, options.text, threads);
        if (!imatrix) return;
      }
      const plan = await planSearch(workbench.db, workbench.paths.dataDir, {
        model,
        textPath: options.text,
        types: options.types?.split(",").map((t) => t.trim()),
        imatrix,
        baseline: options.baseline,
        bandSize: options.band === undefined ? null : integerOption("--band", options.band, 1),
        settings: {
          contextSize: integerOption("--ctx", options.ctx, 16),
          chunks: integerOption("--chunks", options.chunks, 1),
          threads,
        },
        threads,
      });
      const budgets = options.budget
        ? options.budget.split(",").map((size) => parseSize("--budget", size))
        : [
            Math.floor(
              (numberOption("--bpw", options.bpw!, { min: 0.5, max: 32 }) * plan.parameterCount) / 8,
            ),
          ];

      const { cellsTotal } = plan;
      const toMeasure = plan.params?.cells.length ?? 0;
      output.note(
        `${plan.groups.length} groups × ${plan.types.length - 1} types + baseline ${plan.baseline.type} → ${cellsTotal} passes, ` +
          `${cellsTotal - toMeasure} cached, ${toMeasure} to measure` +
          (toMeasure > 0
            ? `${plan.params!.baseCachePath ? "" : " plus a base pass"}, about ${formatDuration(estimateSearchSeconds(plan))}`
            : ""),
      );
      let sensitivity: SensitivityCost | null = null;
      if (plan.params) {
        const job = await runJobInForeground(context, "search.sensitivity", plan.params, {
          printResult: false,
        });
        if (job.state !== "succeeded") return;
        const measured = job.result as SearchSensitivityResult;
        sensitivity = {
          passes: measured.cells.length + (plan.params.baseCachePath ? 0 : 1),
          seconds: (Date.parse(job.finishedAt!) - Date.parse(job.startedAt!)) / 1000,
          basePassSeconds: measured.basePassSeconds,
        };
      }
      const recipes = recipesFromCache(plan, budgets);
      const reports: RecipeReport[] = [];
      for (const [index, recipe] of recipes.entries()) {
        if (!recipe) {
          output.error(`budget ${formatBytes(budgets[index])}: even the smallest candidate mix does not fit`);
          context.exitCode = 1;
          continue;
        }
        reports.push(await reportRecipe(context, plan, recipe, options, threads));
      }
      const result: SearchReport = {
        cellsMeasured: toMeasure,
        cellsCached: cellsTotal - toMeasure,
        sensitivity,
        recipes: reports,
      };
      if (options.out) writeFileAtomic(options.out, JSON.stringify(result, null, 2) + "\n");
      output.result(result, () => {
        if (sensitivity)
          output.fields([
            [
              "sensitivity",
              `${sensitivity.passes} passes in ${formatDuration(sensitivity.seconds)}` +
                (sensitivity.basePassSeconds
                  ? ` (${(sensitivity.seconds / sensitivity.basePassSeconds).toFixed(1)} base passes)`
                  : ""),
            ],
          ]);
        reports.forEach((report) => printReport(output, plan, report));
      });
    });
}

/** The recipe as overrides and a command line; with --heldout, quantized and evaluated for real. */
async function reportRecipe(
  context: CliContext,
  plan: SearchPlan,
  recipe: SearchedRecipe,
  options: SearchCommandOptions,
  threads: number | null,
): Promise<RecipeReport> {
  const report = describeRecipe(plan, recipe);
  if (!options.heldout) return report;
  const { db, paths } = context.workbench();
  const quantize = await planSearchedQuantize(db, paths.dataDir, plan, report, threads);
  const quantized = await runJobInForeground(context, "quantize", quantize, { printResult: false });
  const variant = quantized.state === "succeeded" ? (quantized.result as QuantizeJobResult).model : null;
  if (!variant) return report;
  const evalParams = await planEvaluation(db, {
    base: plan.model.id,
    variants: [variant.id],
    textPath: options.heldout,
    settings: {
      chunks: options.heldoutChunks ? integerOption("--heldout-chunks", options.heldoutChunks, 1) : null,
      threads,
    },
  });
  const evaluated = await runJobInForeground(context, "eval", evalParams, { printResult: false });
  if (evaluated.state !== "succeeded") return report;
  const figures = (evaluated.result as EvalJobResult).variants[0]!.figures;
  report.validation = {
    modelId: variant.id,
    sizeBytes: variant.sizeBytes,
    kld: figures.kldMean,
    ppl: figures.ppl,
  };
  return report;
}

const interval = (e: { value: number; uncertainty: number }, digits: number): string =>
  `${e.value.toFixed(digits)} ± ${(1.96 * e.uncertainty).toFixed(digits)}`;

function printReport(output: Output, plan: SearchPlan, report: RecipeReport): void {
  const { recipe, validation } = report;
  const counts = new Map<string, number>();
  for (const choice of recipe.choices) counts.set(choice.type, (counts.get(choice.type) ?? 0) + 1);
  output.line();
  output.fields([
    ["budget", `${formatBytes(recipe.budgetBytes)} (${recipe.budgetBytes} bytes)`],
    ["predicted size", `${formatBytes(recipe.bytes)} (${recipe.bytes} bytes)`],
    ["predicted KLD", recipe.predictedKld.toFixed(6)],
    ["groups", [...counts].map(([type, n]) => `${n} × ${type}`).join(", ")],
    ...recipe.choices.map((choice) => [`  ${choice.name}`, choice.type] as const),
    ["cwb quantize", report.cwbQuantize],
    ["llama-quantize", report.llamaQuantize],
    ...(validation
      ? ([
          [
            "variant",
            `${validation.modelId} (${formatBytes(validation.sizeBytes)}, ${validation.sizeBytes} bytes)`,
          ],
          [
            "held-out KLD",
            `${interval(validation.kld, 6)} (95 %), predicted ${recipe.predictedKld.toFixed(6)}`,
          ],
          ["held-out PPL", interval(validation.ppl, 4)],
        ] as const)
      : []),
  ]);
}
