// `cwb eval VARIANT... --base MODEL --text FILE`: perplexity and KL divergence of variants against their
// base, computed like llama-perplexity (same chunks, same statistics). Runs as an "eval" job in the
// foreground; the base's distributions are cached per (base, text, context, chunks) and reused.
import type { Command } from "commander";
import type { EvalJobResult, EvalSettings, EvalSettingsInput } from "../../../shared/domain/eval.js";
import { formatBytes, formatDuration } from "../../../shared/format.js";
import { planEvaluation } from "../../../core/eval/planEvaluation.js";
import type { CliContext } from "../context.js";
import type { Output } from "../output.js";
import { runJobInForeground } from "../runJobInForeground.js";
import { integerOption } from "../parseOptions.js";
import {
  addGpuOptions,
  gpuSettingsFromOptions,
  softwareGpuRemedyFlag,
  type GpuCommandOptions,
} from "../gpuOptions.js";
import { describeRunDevice, evalRunDevice } from "../../../shared/domain/runDevice.js";
import { writeFileAtomic } from "../../../core/writeFileAtomic.js";

interface EvalCommandOptions extends GpuCommandOptions {
  base: string;
  text: string;
  ctx: string;
  chunks?: string;
  batch: string;
  threads?: string;
  topK: string;
  topMass: string;
  tailSamples: string;
  out?: string;
}

export function registerEvalCommands(program: Command, context: CliContext): void {
  const command = program
    .command("eval")
    .description("perplexity and KL divergence of variants against their base (llama-perplexity's figures)")
    .argument("[variants...]", "variant models: library ids/names or GGUF paths (imported when new)")
    .requiredOption("--base <model>", "the base model: library id/name or GGUF path")
    .requiredOption("--text <file>", "evaluation text (UTF-8)")
    .option("--ctx <n>", "tokens per chunk (llama-perplexity -c)", "512")
    .option("--chunks <n>", "chunks to score (default: every whole chunk)")
    .option(
      "--batch <n>",
      "logical batch; batch/ctx chunks are decoded together (llama-perplexity -b)",
      "2048",
    )
    .option("--threads <n>", "CPU threads (default: the machine's math cores, as llama.cpp)")
    .option("--top-k <n>", "cached base distribution: top tokens kept per position", "64")
    .option(
      "--top-mass <p>",
      "cached base distribution: stop once the top tokens cover this probability",
      "0.999",
    )
    .option(
      "--tail-samples <n>",
      "cached base distribution: tokens sampled from the rest of the distribution",
      "64",
    )
    .option("--out <path>", "also write the result as JSON to this file");
  addGpuOptions(command).action(async (variants: string[], options: EvalCommandOptions) => {
    const settings: EvalSettingsInput = {
      contextSize: integerOption("--ctx", options.ctx, 16),
      chunks: options.chunks === undefined ? null : integerOption("--chunks", options.chunks, 1),
      batchSize: integerOption("--batch", options.batch, 1),
      threads: options.threads === undefined ? null : integerOption("--threads", options.threads, 1),
      topKMax: integerOption("--top-k", options.topK, 1),
      topMass: Number(options.topMass),
      tailSamples: integerOption("--tail-samples", options.tailSamples, 0),
      ...gpuSettingsFromOptions(options),
    };
    const workbench = context.workbench();
    const params = await planEvaluation(workbench.db, {
      base: options.base,
      variants,
      textPath: options.text,
      settings,
    });
    if (params.baseCachePath)
      context.output.note(`reusing cached base distributions ${params.baseCachePath}`);
    const job = await runJobInForeground(context, "eval", params, {
      json: (result) => result,
      human: (result) => printResult(context.output, result, params.settings),
    });
    if (job.state === "succeeded" && options.out)
      writeFileAtomic(options.out, JSON.stringify(job.result, null, 2) + "\n");
  });
}

const pm = (value: number, uncertainty: number, digits: number): string =>
  `${value.toFixed(digits)} ± ${uncertainty.toFixed(digits)}`;

function printResult(output: Output, r: EvalJobResult, settings: EvalSettings): void {
  const ranOn = describeRunDevice(evalRunDevice({ settings, details: r }), softwareGpuRemedyFlag);
  output.fields([
    ["base", r.baseModelId],
    ["base PPL", pm(r.basePpl.value, r.basePpl.uncertainty, 4)],
    ["ran on", ranOn.line],
    ...ranOn.skipped.map((text) => ["skipped", text] as const),
    [
      "base cache",
      `${r.baseCache.path} (${formatBytes(r.baseCache.bytes)}${r.baseCache.reused ? ", reused" : ", new"})`,
    ],
  ]);
  if (r.variants.length === 0) return;
  output.line();
  output.table(r.variants, [
    { header: "MODEL", value: (v) => v.modelId },
    { header: "PPL", value: (v) => pm(v.figures.ppl.value, v.figures.ppl.uncertainty, 4), align: "right" },
    {
      header: "ΔPPL",
      value: (v) => pm(v.figures.pplDelta.value, v.figures.pplDelta.uncertainty, 4),
      align: "right",
    },
    {
      header: "RATIO",
      value: (v) => pm(v.figures.pplRatio.value, v.figures.pplRatio.uncertainty, 5),
      align: "right",
    },
    {
      header: "KLD",
      value: (v) => pm(v.figures.kldMean.value, v.figures.kldMean.uncertainty, 6),
      align: "right",
    },
    { header: "KLD MED", value: (v) => v.figures.kldMedian.toFixed(6), align: "right" },
    { header: "KLD P99", value: (v) => v.figures.kldP99.toFixed(6), align: "right" },
    { header: "KLD MAX", value: (v) => v.figures.kldMax.toFixed(4), align: "right" },
    { header: "SAME TOP", value: (v) => `${(100 * v.figures.sameTop.value).toFixed(2)} %`, align: "right" },
    { header: "RMS ΔP", value: (v) => `${(100 * v.figures.deltaPRms.value).toFixed(3)} %`, align: "right" },
    { header: "TIME", value: (v) => formatDuration(v.evalSeconds), align: "right" },
  ]);
}
