// `cwb export VARIANT --out DIR|FILE.zip [--split-max-size 2G | --split-max-tensors N] [--ctx N] [--device D]`
// writes a bundle for phones and desktop runtimes (an export.bundle job); `cwb export verify BUNDLE`
// checks one (an export.verify job). Both show progress and cancel on Ctrl+C like other jobs.
import type { Command } from "commander";
import { planExport } from "../../../core/export/planExport.js";
import { runtimeFileSets, type RuntimeFileSet } from "../../../shared/domain/exportBundle.js";
import { parseSplitMaxSize, type SplitLimit } from "../../../shared/domain/ggufSplit.js";
import { formatBytes } from "../../../shared/format.js";
import type { CliContext } from "../context.js";
import { positiveInteger } from "../parseOptions.js";
import { runJobInForeground } from "../runJobInForeground.js";

interface ExportCommandOptions {
  out?: string;
  splitMaxSize?: string;
  splitMaxTensors?: string;
  ctx?: string;
  device?: string;
  runtimeFiles?: string;
}

function runtimeFilesFromOption(text: string | undefined): RuntimeFileSet[] | undefined {
  if (text === undefined) return undefined;
  const sets = text
    .split(",")
    .map((word) => word.trim())
    .filter(Boolean);
  for (const set of sets)
    if (!(runtimeFileSets as readonly string[]).includes(set))
      throw new Error(`--runtime-files: "${set}" is not one of ${runtimeFileSets.join(", ")}`);
  return sets as RuntimeFileSet[];
}

function splitFromOptions(options: ExportCommandOptions): SplitLimit | null {
  if (options.splitMaxSize !== undefined && options.splitMaxTensors !== undefined)
    throw new Error("export: give --split-max-size or --split-max-tensors, not both");
  if (options.splitMaxSize !== undefined) {
    const parsed = parseSplitMaxSize(options.splitMaxSize);
    if ("error" in parsed) throw new Error(`--split-max-size: ${parsed.error}`);
    return { by: "size", maxBytes: parsed.bytes };
  }
  if (options.splitMaxTensors !== undefined)
    return { by: "tensors", maxTensors: positiveInteger("--split-max-tensors", options.splitMaxTensors) };
  return null;
}

export function registerExportCommands(program: Command, context: CliContext): void {
  const command = program
    .command("export")
    .description(
      "write a bundle for phones and desktop runtimes: the model, manifest.json, README, device benchmark script, Ollama/LM Studio/llama.cpp files",
    )
    .argument("<variant>", "library id/name or GGUF path (imported when new)")
    .option(
      "--out <path>",
      "the bundle to create (must not exist): a folder, or FILE.zip (stored, uncompressed)",
    )
    .option(
      "--split-max-size <size>",
      "split the model into shards of at most this much tensor data, as llama-gguf-split spells it: 500M, 2G",
    )
    .option("--split-max-tensors <n>", "split the model into shards of at most N tensors")
    .option("--ctx <n>", "recommended context length (default: the model's, at most 4096)")
    .option(
      "--device <id>",
      "a device profile id (cwb devices list): the manifest carries its profile, the predicted fit and speed, and settings recommended for it",
    )
    .action(async (variant: string, options: ExportCommandOptions) => {
      if (options.out === undefined)
        throw new Error("export: --out is required (the bundle folder or FILE.zip to create)");
      const workbench = context.workbench();
      const params = await planExport(workbench.db, {
        model: variant,
        outPath: options.out,
        split: splitFromOptions(options),
        contextLength: options.ctx === undefined ? null : positiveInteger("--ctx", options.ctx),
        deviceId: options.device ?? null,
        runtimeFiles: runtimeFilesFromOption(options.runtimeFiles),
      });
      await runJobInForeground(context, "export.bundle", params, {
        json: (result) => result,
        human: (r) =>
          context.output.fields([
            ["bundle", r.path],
            ["load", r.entry],
            ["files", `${r.files.length} + manifest.json, ${formatBytes(r.bytes)}`],
            ["model files", listShards(r.files.filter((f) => f.role === "model").map((f) => f.path))],
          ]),
      });
    });

  command
    .command("verify")
    .description(
      "check a bundle: every file's size and sha256, the manifest against its schema, and that llama.cpp loads the model",
    )
    .argument("<bundle>", "the bundle folder (or its manifest.json), or a .zip bundle")
    .action(async (bundle: string) => {
      await runJobInForeground(
        context,
        "export.verify",
        { path: bundle },
        {
          json: (result) => result,
          human: (r) =>
            context.output.fields([
              ["bundle", r.path],
              ["manifest", `schema version ${r.schemaVersion}, valid`],
              ["files", `${r.filesChecked} checked, ${formatBytes(r.bytesChecked)}, every sha256 matches`],
              [
                "model",
                `${r.model.entry} loaded in ${r.model.loadMs.toFixed(0)} ms, first token ${JSON.stringify(r.model.firstToken)}`,
              ],
            ]),
        },
      );
    });
}

/** A split model's shards in one line: all of a few, the first and last of many. */
function listShards(paths: string[]): string {
  if (paths.length <= 4) return paths.join(", ");
  return `${paths[0]}, ${paths[1]}, … ${paths.at(-1)} (${paths.length} shards)`;
}
