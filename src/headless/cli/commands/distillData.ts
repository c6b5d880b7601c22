// `cwb distill-data --teacher MODEL --prompts FILE [--gen-temp T --gen-top-p P --gen-seed N
// --gen-tokens N ...]`: the teacher continues each prompt (a "distill.data" job); the set is recorded
// as a `distill-data` artifact with its sha256, and the same request later reuses it. `cwb distill
// --generate FILE` runs the same job before it trains (generationOptions / generateDataSet below).
import type { Command } from "commander";
import {
  distillDataJobResult,
  type DistillDataJobResult,
  type DistillDataSettingsInput,
} from "../../../shared/domain/distillData.js";
import { formatDuration } from "../../../shared/format.js";
import { planDistillData } from "../../../core/distill/planDistillData.js";
import type { CliContext } from "../context.js";
import { numberOption, positiveInteger } from "../parseOptions.js";
import { runJobInForeground } from "../runJobInForeground.js";

export interface GenerationOptions {
  genSplit: string;
  genChunkTokens: string;
  genPrompts?: string;
  genTemp: string;
  genTopP: string;
  genSeed: string;
  genTokens: string;
  genCtx: string;
  genThreads?: string;
  threads?: string;
}

const splits = ["auto", "lines", "paragraphs", "chunks"] as const;

/** The generation flags, shared by `distill-data` and `distill --generate`. */
export function generationOptions(command: Command): Command {
  return command
    .option("--gen-split <how>", "prompts: auto, lines, paragraphs or chunks (of --gen-chunk-tokens)", "auto")
    .option("--gen-chunk-tokens <n>", "tokens per prompt with --gen-split chunks", "64")
    .option("--gen-prompts <n>", "at most this many prompts (from the start of the file)")
    .option("--gen-temp <t>", "sampling temperature; 0: greedy", "0.8")
    .option("--gen-top-p <p>", "nucleus sampling: smallest set of tokens holding this mass", "0.95")
    .option("--gen-seed <n>", "seed (prompt i samples with seed + i)", "1")
    .option("--gen-tokens <n>", "tokens generated per prompt at most", "128")
    .option("--gen-ctx <n>", "the teacher's context while generating", "1024")
    .option("--gen-threads <n>", "threads while generating (default: --threads, else all)");
}

export function generationSettingsFrom(o: GenerationOptions): DistillDataSettingsInput {
  const split = splits.find((s) => s === o.genSplit);
  if (!split) throw new Error(`--gen-split: expected one of ${splits.join(", ")}, got "${o.genSplit}"`);
  return {
    split,
    chunkTokens: positiveInteger("--gen-chunk-tokens", o.genChunkTokens),
    maxPrompts: o.genPrompts === undefined ? null : positiveInteger("--gen-prompts", o.genPrompts),
    temperature: numberOption("--gen-temp", o.genTemp, { min: 0, max: 10 }),
    topP: numberOption("--gen-top-p", o.genTopP, { min: 1e-6, max: 1 }),
    seed: numberOption("--gen-seed", o.genSeed, { min: 0 }),
    maxTokens: positiveInteger("--gen-tokens", o.genTokens),
    contextSize: positiveInteger("--gen-ctx", o.genCtx),
    threads:
      o.genThreads !== undefined
        ? positiveInteger("--gen-threads", o.genThreads)
        : o.threads === undefined
          ? null
          : positiveInteger("--threads", o.threads),
  };
}

export function describeDataSet(r: DistillDataJobResult): string {
  const made = r.reused
    ? "reused"
    : `generated: ${r.samples} samples, ${r.generatedTokens} tokens in ${formatDuration(r.seconds)}`;
  return `${r.artifactId} (${made}), sha256 ${r.sha256.slice(0, 16)}…`;
}

/** Runs the data job in the foreground; null when it did not succeed (the exit code is set). */
export async function generateDataSet(
  context: CliContext,
  teacher: string,
  prompts: string,
  options: GenerationOptions,
): Promise<DistillDataJobResult | null> {
  const workbench = context.workbench();
  const params = await planDistillData(workbench.db, workbench.paths.dataDir, {
    teacher,
    prompts,
    settings: generationSettingsFrom(options),
  });
  const job = await runJobInForeground(context, "distill.data", params, { printResult: false });
  return job.state === "succeeded" ? distillDataJobResult.parse(job.result) : null;
}

export function registerDistillDataCommands(program: Command, context: CliContext): void {
  generationOptions(
    program
      .command("distill-data")
      .description("the teacher's continuations of prompts: a data set for sequence-level distillation")
      .requiredOption("--teacher <model>", "library id/name or GGUF path of the teacher")
      .requiredOption("--prompts <file>", "one prompt per line, or blank-line separated, or a text to cut")
      .option("--threads <n>", "threads (default: all)"),
  ).action(async (options: GenerationOptions & { teacher: string; prompts: string }) => {
    const result = await generateDataSet(context, options.teacher, options.prompts, options);
    if (!result) return;
    context.output.result(result, () =>
      context.output.fields([
        ["data set", describeDataSet(result)],
        ["file", result.path],
        ["bytes", String(result.bytes)],
      ]),
    );
  });
}
