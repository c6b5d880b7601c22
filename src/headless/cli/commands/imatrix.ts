// `cwb imatrix MODEL --text FILE`: llama-imatrix's importance matrix (same chunks, same sums), run
// as an "imatrix" job. The text is stored once as a text set; the matrix becomes an artifact of the
// model that `cwb quantize --imatrix` takes.
import type { Command } from "commander";
import { formatBytes, formatDuration } from "../../../shared/format.js";
import { planImatrix } from "../../../core/quantize/planImatrix.js";
import type { CliContext } from "../context.js";
import { runJobInForeground } from "../runJobInForeground.js";
import { positiveInteger } from "../parseOptions.js";
import { addGpuOptions, gpuSettingsFromOptions, type GpuCommandOptions } from "../gpuOptions.js";

interface ImatrixCommandOptions extends GpuCommandOptions {
  text: string;
  ctx: string;
  chunks?: string;
  batch: string;
  threads?: string;
  out?: string;
}

export function registerImatrixCommands(program: Command, context: CliContext): void {
  const command = program
    .command("imatrix")
    .description("compute an importance matrix on calibration text (llama-imatrix's values, GGUF format)")
    .argument("<model>", "library id/name or GGUF path (imported when new)")
    .requiredOption("--text <file>", "calibration text (UTF-8)")
    .option("--ctx <n>", "tokens per chunk (llama-imatrix -c)", "512")
    .option("--chunks <n>", "chunks to use (default: all)")
    .option("--batch <n>", "logical batch; batch/ctx chunks run together (llama-imatrix -b)", "2048")
    .option("--threads <n>", "threads (default: all)")
    .option("--out <file>", "output file (default: the data dir's artifacts folder)");
  addGpuOptions(command).action(async (model: string, options: ImatrixCommandOptions) => {
    const workbench = context.workbench();
    const params = await planImatrix(workbench.db, workbench.paths.dataDir, {
      model,
      text: options.text,
      settings: {
        contextSize: positiveInteger("--ctx", options.ctx),
        chunks: options.chunks === undefined ? null : positiveInteger("--chunks", options.chunks),
        batchSize: positiveInteger("--batch", options.batch),
        threads: options.threads === undefined ? null : positiveInteger("--threads", options.threads),
        ...gpuSettingsFromOptions(options),
      },
      out: options.out ?? null,
    });
    await runJobInForeground(context, "imatrix", params, {
      json: (result) => result,
      human: (r) =>
        context.output.fields([
          ["imatrix", r.path],
          ["artifact", r.artifactId],
          ["entries", String(r.entries)],
          ["chunks", `${r.chunks} of ${params.settings.contextSize} tokens`],
          ["text set", `${r.textSetId} (${params.text.name})`],
          ["size", formatBytes(r.bytes)],
          ["time", formatDuration(r.seconds)],
        ]),
    });
  });
}
