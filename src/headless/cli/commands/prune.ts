// `cwb prune MODEL --layers i,j | --drop N --text FILE`: writes the model without those blocks
// (weights otherwise copied unchanged) as a "prune" job; --drop first measures layer importance on
// the text (a "layers" job, stored as a run) and drops the N least important blocks.
// `cwb prune MODEL --ffn-keep F --heads-keep H --text FILE`: width pruning, a "prune.width" job
// (pruneWidth.ts).
import type { Command } from "commander";
import type { LayersJobResult } from "../../../shared/domain/compression.js";
import { formatBytes } from "../../../shared/format.js";
import { planLayers } from "../../../core/quantize/planLayers.js";
import { parseLayerList, planPrune } from "../../../core/quantize/planPrune.js";
import type { CliContext } from "../context.js";
import { runJobInForeground } from "../runJobInForeground.js";
import { positiveInteger } from "../parseOptions.js";
import { layerSettings, printRanking } from "./layers.js";
import { addGpuOptions, type GpuCommandOptions } from "../gpuOptions.js";
import { addWidthOptions, pruneWidth, type WidthCommandOptions } from "./pruneWidth.js";

interface PruneCommandOptions extends GpuCommandOptions, WidthCommandOptions {
  layers?: string;
  drop?: string;
  text?: string;
  ctx: string;
  chunks: string;
  threads?: string;
  out?: string;
}

export function registerPruneCommands(program: Command, context: CliContext): void {
  const command = program
    .command("prune")
    .description(
      "drop transformer blocks (explicit ones, or the N least important on calibration text), or narrow them (FFN channels, attention heads)",
    )
    .argument("<model>", "library id/name or GGUF path (imported when new)")
    .option("--layers <list>", "block indices to drop, e.g. 3,5")
    .option("--drop <n>", "drop the N least important blocks (needs --text)")
    .option("--text <file>", "calibration text for the importance measure (with --drop or the width options)")
    .option("--ctx <n>", "importance measure: tokens per chunk", "512")
    .option("--chunks <n>", "importance measure: chunks to use", "16")
    .option("--threads <n>", "threads (default: all)")
    .option("--out <path>", "output file (default: the data dir's models folder)");
  addWidthOptions(command);
  // The device options apply to the importance measure (the pruning itself is file work).
  addGpuOptions(command).action(async (model: string, options: PruneCommandOptions) => {
    if (options.ffnKeep !== undefined || options.headsKeep !== undefined) {
      if (options.layers !== undefined || options.drop !== undefined)
        throw new Error("prune: --layers/--drop (blocks) and --ffn-keep/--heads-keep (width) do not combine");
      await pruneWidth(context, model, options);
      return;
    }
    if ((options.layers === undefined) === (options.drop === undefined))
      throw new Error(
        "prune: give exactly one of --layers i,j,... or --drop N (or --ffn-keep / --heads-keep)",
      );
    const workbench = context.workbench();
    const threads = options.threads === undefined ? null : positiveInteger("--threads", options.threads);
    let ranking: { layersRunId: string; order: number[]; textSetId: string | null } | undefined;
    let drop: number | undefined;
    if (options.drop !== undefined) {
      drop = positiveInteger("--drop", options.drop);
      if (!options.text)
        throw new Error("prune --drop: --text FILE is needed to measure which blocks matter least");
      const layersParams = await planLayers(workbench.db, workbench.paths.dataDir, {
        model,
        text: options.text,
        settings: layerSettings({ ...options, text: options.text }),
      });
      const layersJob = await runJobInForeground(context, "layers", layersParams, {
        json: () => undefined,
        human: () => undefined,
      });
      if (layersJob.state !== "succeeded") return;
      const measured = layersJob.result as LayersJobResult;
      if (!context.output.json) printRanking(context.output, measured);
      ranking = {
        layersRunId: measured.runId,
        order: measured.ranking,
        textSetId: layersParams.text.textSetId,
      };
    }
    const params = await planPrune(workbench.db, workbench.paths.dataDir, {
      model,
      ...(options.layers !== undefined ? { layers: parseLayerList(options.layers) } : {}),
      ...(drop !== undefined ? { drop } : {}),
      ...(ranking ? { ranking } : {}),
      threads,
      out: options.out ?? null,
    });
    await runJobInForeground(context, "prune", params, {
      json: (result) => result,
      human: (r) =>
        context.output.fields([
          ["model", `${r.model.id} ${r.model.path}`],
          ["dropped blocks", r.dropped.join(", ")],
          ["blocks", `${r.blockCount} (was ${params.recipe.originalBlockCount})`],
          ["size", formatBytes(r.model.sizeBytes)],
          ["fixed metadata", r.fixedMetadata.length > 0 ? r.fixedMetadata.join(", ") : "none needed"],
        ]),
    });
  });
}
