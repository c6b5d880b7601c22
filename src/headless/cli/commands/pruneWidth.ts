// The width half of `cwb prune`: --ffn-keep F and/or --heads-keep H (fractions like 0.75 or 75%, or
// counts), --per-layer or --uniform, --k-quant-rows, --text FILE. Queues a "prune.width" job, which
// measures channel and head importance on the text, writes the narrower model and records it.
import type { Command } from "commander";
import { formatBytes } from "../../../shared/format.js";
import type { WidthRecipe } from "../../../shared/domain/widthPruning.js";
import { planPruneWidth } from "../../../core/quantize/planPruneWidth.js";
import type { CliContext } from "../context.js";
import { runJobInForeground } from "../runJobInForeground.js";
import { integerOption } from "../parseOptions.js";
import { layerSettings, type LayersCommandOptions } from "./layers.js";

export interface WidthCommandOptions {
  ffnKeep?: string;
  headsKeep?: string;
  perLayer?: boolean;
  uniform?: boolean;
  kQuantRows?: boolean;
  remove?: string;
  seed?: string;
}

const removeChoices: readonly WidthRecipe["removes"][] = ["least-important", "most-important", "random"];

export function addWidthOptions(command: Command): Command {
  return command
    .option(
      "--ffn-keep <f>",
      "width pruning: FFN channels to keep per block, a fraction (0.75, 75%) or a count",
    )
    .option("--heads-keep <h>", "width pruning: KV head groups to keep per block, a fraction or a count")
    .option("--uniform", "width pruning: every block keeps the same share (default)")
    .option("--per-layer", "width pruning: one budget ranked across blocks, so widths differ per block")
    .option("--k-quant-rows", "width pruning: round kept FFN widths to multiples of 256 (K-quant row size)")
    .option(
      "--remove <which>",
      `width pruning: which channels go: ${removeChoices.join("|")}`,
      "least-important",
    )
    .option("--seed <n>", "width pruning: seed of --remove random", "1");
}

export async function pruneWidth(
  context: CliContext,
  model: string,
  options: WidthCommandOptions & Omit<LayersCommandOptions, "text"> & { text?: string; out?: string },
): Promise<void> {
  if (!options.text)
    throw new Error("prune --ffn-keep/--heads-keep: --text FILE is needed to measure what matters least");
  if (options.perLayer && options.uniform)
    throw new Error("prune: --per-layer and --uniform exclude each other");
  const removes = removeChoices.find((c) => c === options.remove);
  if (!removes) throw new Error(`prune --remove: expected ${removeChoices.join("|")}, got ${options.remove}`);
  const workbench = context.workbench();
  const params = await planPruneWidth(workbench.db, workbench.paths.dataDir, {
    model,
    text: options.text,
    ffnKeep: options.ffnKeep ?? null,
    headsKeep: options.headsKeep ?? null,
    recipe: {
      distribution: options.perLayer ? "per-layer" : "uniform",
      kQuantRows: options.kQuantRows ?? false,
      removes,
      seed: integerOption("--seed", options.seed ?? "1", 0),
    },
    settings: layerSettings({ ...options, text: options.text }),
    out: options.out ?? null,
  });
  await runJobInForeground(context, "prune.width", params, {
    json: (result) => result,
    human: (r) =>
      context.output.fields([
        ["model", `${r.model.id} ${r.model.path}`],
        ["architecture", r.architecture],
        ["FFN channels", `${r.ffnLengths.join(" ")} (was ${params.original.ffnLengths.join(" ")})`],
        ["KV groups", `${r.headCountsKv.join(" ")} (was ${params.original.headCountsKv.join(" ")})`],
        ["query heads", r.headCounts.join(" ")],
        ["parameters", String(r.model.metadata.parameterCount)],
        ["size", formatBytes(r.model.sizeBytes)],
        ["K-quant fallbacks", r.kQuantFallbacks.length > 0 ? r.kQuantFallbacks.join(", ") : "none"],
      ]),
  });
}
