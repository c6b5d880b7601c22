// `cwb bench VARIANT`: speed and memory of one model on this machine — load times (cold and warm),
// prompt processing and generation tokens/s, TTFT and inter-token latency percentiles, peak RSS
// against node-llama-cpp's estimate, and generation as a share of the memory-bandwidth limit.
// Runs as a "bench" job in a fresh worker process; the result is stored as a run of kind 'bench'.
import type { Command } from "commander";
import {
  benchReport,
  benchSettings,
  flashAttentionMode,
  type BenchReport,
  type BenchSettingsInput,
} from "../../../shared/domain/bench.js";
import { formatBytes } from "../../../shared/format.js";
import { benchRunDevice, describeRunDevice } from "../../../shared/domain/runDevice.js";
import {
  formatCoefficientOfVariation,
  formatMetricValue,
  formatMetricWithSpread,
} from "../../../shared/metrics/formatMetric.js";
import { resolveModel } from "../../../core/eval/planEvaluation.js";
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
import { writeFileAtomic } from "../../../core/writeFileAtomic.js";
import { llamaBuildChoices } from "../../../shared/domain/llamaBuild.js";
import { compareBuildMetrics } from "../../../shared/metrics/compareBuildMetrics.js";
import { verdictWords } from "../../../shared/metrics/metricDifference.js";

interface BenchCommandOptions extends GpuCommandOptions {
  pp: string;
  tg: string;
  tgPrompt: string;
  reps: string;
  warmup: string;
  warmLoads: string;
  threads?: string;
  ctx?: string;
  batch: string;
  flashAttn: string;
  bandwidth: boolean;
  bandwidthMib: string;
  seed: string;
  out?: string;
  compareBuilds: boolean;
}

function choice<T extends string>(flag: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value))
    throw new Error(`${flag}: expected one of ${allowed.join(", ")}, got "${value}"`);
  return value as T;
}

/** Commander options → validated settings (the schema's error names the field). */
export function benchSettingsFromOptions(options: BenchCommandOptions): BenchSettingsInput {
  const settings: BenchSettingsInput = {
    promptLengths: options.pp.split(",").map((part) => integerOption("--pp", part.trim(), 1)),
    generateTokens: integerOption("--tg", options.tg, 2),
    generationPromptTokens: integerOption("--tg-prompt", options.tgPrompt, 1),
    reps: integerOption("--reps", options.reps, 1),
    warmupReps: integerOption("--warmup", options.warmup, 0),
    warmLoads: integerOption("--warm-loads", options.warmLoads, 0),
    threads: options.threads === undefined ? null : integerOption("--threads", options.threads, 1),
    contextSize: options.ctx === undefined ? null : integerOption("--ctx", options.ctx, 32),
    batchSize: integerOption("--batch", options.batch, 1),
    ...gpuSettingsFromOptions(options),
    flashAttention: choice("--flash-attn", options.flashAttn, ["auto", "on", "off"] as const),
    bandwidth: options.bandwidth,
    bandwidthMiB: integerOption("--bandwidth-mib", options.bandwidthMib, 16),
    seed: integerOption("--seed", options.seed, 0),
  };
  const parsed = benchSettings.safeParse(settings);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(
      `invalid benchmark settings: ${issue?.path.join(".") ?? ""} ${issue?.message ?? parsed.error.message}`,
    );
  }
  return settings;
}

export function registerBenchCommands(program: Command, context: CliContext): void {
  const defaults = benchSettings.parse({});
  const command = program
    .command("bench")
    .description(
      "speed and memory of a model: load, prompt/generation tokens/s, TTFT, inter-token latency, peak RSS, bandwidth share",
    )
    .argument("<variant>", "library id/name or GGUF path (imported when new)")
    .option(
      "--pp <lengths>",
      "prompt-processing lengths in tokens, comma-separated",
      defaults.promptLengths.join(","),
    )
    .option("--tg <n>", "tokens generated per repetition", String(defaults.generateTokens))
    .option(
      "--tg-prompt <n>",
      "prompt tokens before each generation (TTFT covers them)",
      String(defaults.generationPromptTokens),
    )
    .option("--reps <n>", "timed repetitions of every test", String(defaults.reps))
    .option("--warmup <n>", "untimed warm-up rounds", String(defaults.warmupReps))
    .option("--warm-loads <n>", "model loads timed after the cold one", String(defaults.warmLoads))
    .option("--threads <n>", "CPU threads (default: node-llama-cpp's choice, the math cores)")
    .option("--ctx <n>", "context size (default: what the longest test needs)")
    .option("--batch <n>", "batch size in tokens", String(defaults.batchSize))
    .option("--flash-attn <mode>", "flash attention: auto|on|off", defaults.flashAttention)
    .option("--no-bandwidth", "skip the memory-bandwidth probe")
    .option("--bandwidth-mib <n>", "bandwidth probe buffer in MiB", String(defaults.bandwidthMiB))
    .option("--seed <n>", "seed of the random prompt tokens", String(defaults.seed))
    .option("--out <path>", "also write the report as JSON to this file")
    .option(
      "--compare-builds",
      "benchmark on the prebuilt binaries and on the build for this machine, side by side",
      false,
    );
  addGpuOptions(command).action(async (variant: string, options: BenchCommandOptions) => {
    const settings = benchSettingsFromOptions(options);
    const workbench = context.workbench();
    const model = await resolveModel(workbench.db, variant);
    if (options.compareBuilds) {
      await compareBuilds(context, { modelId: model.id, path: model.path }, settings, options.out);
      return;
    }
    const job = await runJobInForeground(
      context,
      "bench",
      { model: { modelId: model.id, path: model.path }, settings },
      { json: (result) => result, human: (result) => printReport(context.output, result) },
    );
    if (job.state === "succeeded" && options.out)
      writeFileAtomic(options.out, JSON.stringify(job.result, null, 2) + "\n");
  });
}

function printReport(output: Output, r: BenchReport): void {
  const s = r.settings;
  const ranOn = describeRunDevice(benchRunDevice(r), softwareGpuRemedyFlag);
  const cold = r.details.coldLoad;
  output.fields([
    ["model", `${r.modelId ?? "?"}  ${r.details.modelPath} (${formatBytes(r.details.modelSizeBytes)})`],
    ["run", r.runId ?? "not recorded"],
    [
      "machine",
      `${r.machine.id}  ${r.machine.cpu}, ${r.machine.cores} threads, ${formatBytes(r.machine.ramBytes, { binary: true })} RAM${r.machine.gpu ? `, ${r.machine.gpu}` : ""}`,
    ],
    ["build", `llama.cpp ${r.llamaBuild}, node-llama-cpp ${r.nodeLlamaCpp}`],
    ["ran on", ranOn.line],
    ...ranOn.skipped.map((text) => ["skipped", text] as const),
    [
      "settings",
      `${s.backend}, ${s.threads} threads, ctx ${s.contextSize}, batch ${s.batchSize}, gpu layers ${s.gpuLayers}, flash attention ${flashAttentionMode(s.flashAttention)}, ${s.reps} reps`,
    ],
    [
      "cold load",
      cold.evictionRequested
        ? `page cache dropped first (${formatResident(cold.residentBefore)} → ${formatResident(cold.residentAfter)} resident)`
        : "first load in a fresh worker (page cache could not be dropped)",
    ],
  ]);
  output.line();
  output.table(r.metrics, [
    { header: "METRIC", value: (m) => m.name },
    { header: "VALUE", value: (m) => formatMetricValue(m.value, m.unit), align: "right" },
    {
      header: "± STDDEV",
      value: (m) => (m.stddev === null ? "" : formatMetricValue(m.stddev, m.unit)),
      align: "right",
    },
    {
      header: "CV",
      value: (m) => (m.stddev === null ? "" : formatCoefficientOfVariation(m.value, m.stddev)),
      align: "right",
    },
    { header: "N", value: (m) => (m.samples === null ? "" : String(m.samples)), align: "right" },
  ]);
  for (const warning of r.details.warnings) output.note(`warning: ${warning}`);
  for (const reason of r.details.interference?.reasons ?? [])
    output.note(`noisy: ${reason}; the figures may be disturbed (benchmark an idle machine)`);
}

function formatResident(fraction: number | null): string {
  return fraction === null ? "?" : `${(fraction * 100).toFixed(0)} %`;
}

/**
 * The same benchmark on the prebuilt binaries, then on the build for this machine (each a job of its
 * own: a worker commits to one build), printed side by side with the ratio and whether it is
 * beyond the noise of the repetitions.
 */
async function compareBuilds(
  context: CliContext,
  model: { modelId: string; path: string },
  settings: BenchSettingsInput,
  out: string | undefined,
): Promise<void> {
  const reports: BenchReport[] = [];
  for (const llamaBuild of llamaBuildChoices) {
    const job = await runJobInForeground(
      context,
      "bench",
      { model, settings: { ...settings, llamaBuild } },
      { printResult: false },
    );
    if (job.state !== "succeeded") return;
    reports.push(benchReport.parse(job.result));
  }
  const [prebuilt, local] = reports as [BenchReport, BenchReport];
  const rows = compareBuildMetrics(prebuilt.metrics, local.metrics);
  const comparison = { prebuilt, local, rows };
  if (out) writeFileAtomic(out, JSON.stringify(comparison, null, 2) + "\n");
  const { output } = context;
  output.result(comparison, () => {
    output.fields([
      ["model", `${prebuilt.modelId ?? "?"}  ${prebuilt.details.modelPath}`],
      ["prebuilt", describeRunDevice(benchRunDevice(prebuilt), softwareGpuRemedyFlag).line],
      ["local", describeRunDevice(benchRunDevice(local), softwareGpuRemedyFlag).line],
      ["runs", `${prebuilt.runId ?? "not recorded"}, ${local.runId ?? "not recorded"}`],
    ]);
    output.line();
    output.table(rows, [
      { header: "METRIC", value: (row) => row.name },
      { header: "PREBUILT", value: (row) => formatMetricWithSpread(row.prebuilt), align: "right" },
      { header: "THIS MACHINE", value: (row) => formatMetricWithSpread(row.local), align: "right" },
      {
        header: "LOCAL / PREBUILT",
        value: (row) => (row.ratio === null ? "" : `${row.ratio.toFixed(2)}x`),
        align: "right",
      },
      { header: "", value: (row) => verdictWords[row.verdict] },
    ]);
  });
}
