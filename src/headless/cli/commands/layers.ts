// `cwb layers MODEL --text FILE`: each block's importance on calibration text (1 - cosine similarity
// of its input and output hidden states, averaged over tokens), stored as a 'layers' run.
// --view channels|heads: each FFN channel's and head's importance instead (a "channels" job).
import type { Command } from "commander";
import type { LayerImportanceSettingsInput } from "../../../shared/domain/compression.js";
import { addGpuOptions, gpuSettingsFromOptions, type GpuCommandOptions } from "../gpuOptions.js";
import type { LayersJobResult } from "../../../shared/domain/compression.js";
import { formatDuration } from "../../../shared/format.js";
import { planLayers } from "../../../core/quantize/planLayers.js";
import type { CliContext } from "../context.js";
import type { Output } from "../output.js";
import { runJobInForeground } from "../runJobInForeground.js";
import { positiveInteger } from "../parseOptions.js";
import { printChannels, printHeads } from "./channelsView.js";

export interface LayersCommandOptions extends Partial<GpuCommandOptions> {
  text: string;
  ctx: string;
  chunks: string;
  threads?: string;
  view?: string;
}

export function registerLayersCommands(program: Command, context: CliContext): void {
  const command = program
    .command("layers")
    .description(
      "rank transformer blocks by how much they change the hidden state (1 - cos) on calibration text",
    )
    .argument("<model>", "library id/name or GGUF path (imported when new)")
    .requiredOption("--text <file>", "calibration text (UTF-8)")
    .option("--ctx <n>", "tokens per chunk", "512")
    .option("--chunks <n>", "chunks to use", "16")
    .option("--threads <n>", "threads (default: all)")
    .option("--view <what>", "blocks (whole-block ranking), channels (FFN channels) or heads", "blocks");
  addGpuOptions(command).action(async (model: string, options: LayersCommandOptions) => {
    const view = options.view ?? "blocks";
    if (!["blocks", "channels", "heads"].includes(view))
      throw new Error(`layers --view: expected blocks|channels|heads, got ${view}`);
    const workbench = context.workbench();
    const params = await planLayers(workbench.db, workbench.paths.dataDir, {
      model,
      text: options.text,
      settings: layerSettings(options),
    });
    if (view !== "blocks") {
      await runJobInForeground(context, "channels", params, {
        json: (result) => result,
        human: (r) =>
          view === "channels" ? printChannels(context.output, r) : printHeads(context.output, r),
      });
      return;
    }
    await runJobInForeground(context, "layers", params, {
      json: (result) => result,
      human: (r) => printRanking(context.output, r),
    });
  });
}

export function layerSettings(options: LayersCommandOptions): LayerImportanceSettingsInput {
  return {
    ...(options.gpu !== undefined
      ? gpuSettingsFromOptions({
          gpu: options.gpu,
          gpuLayers: options.gpuLayers ?? "auto",
          softwareGpu: options.softwareGpu ?? false,
          llamaBuild: options.llamaBuild ?? "prebuilt",
        })
      : {}),
    contextSize: positiveInteger("--ctx", options.ctx),
    chunks: positiveInteger("--chunks", options.chunks),
    threads: options.threads === undefined ? null : positiveInteger("--threads", options.threads),
  };
}

export function printRanking(output: Output, r: LayersJobResult): void {
  const byLayer = new Map(r.layers.map((l) => [l.layer, l]));
  output.table(
    r.ranking.map((layer, rank) => ({ rank: rank + 1, l: byLayer.get(layer)! })),
    [
      { header: "RANK", value: (x) => String(x.rank), align: "right" },
      { header: "BLOCK", value: (x) => String(x.l.layer), align: "right" },
      { header: "IMPORTANCE (1-cos)", value: (x) => x.l.importance.toExponential(4), align: "right" },
      { header: "REL. CHANGE", value: (x) => x.l.relativeChange.toFixed(4), align: "right" },
    ],
  );
  output.line();
  output.fields([
    ["run", r.runId],
    ["tokens", String(r.tokens)],
    ["least important first", r.ranking.join(", ")],
    ["time", formatDuration(r.seconds)],
  ]);
}
