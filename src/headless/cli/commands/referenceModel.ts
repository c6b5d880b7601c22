// `cwb reference-model [--out PATH] [--force] [--quick]`: the project's own small trained model (no
// download). Built once per recipe by a "reference.build" job (a worker process; Ctrl+C cancels it)
// and cached under <dataDir>/reference/, so the next call prints the cached result at once.
import { copyFileSync, renameSync, rmSync } from "node:fs";
import path from "node:path";
import type { Command } from "commander";
import type { ReferenceModelResult, ReferenceVariant } from "../../../shared/domain/referenceModel.js";
import { formatBytes, formatDuration } from "../../../shared/format.js";
import { lockReference, readCachedReference, referenceDir } from "../../../core/reference/referenceCache.js";
import { recipeHash, referenceRecipe } from "../../../core/reference/referenceRecipe.js";
import { readSotuAddresses } from "../../../core/reference/sotuCorpus.js";
import type { CliContext } from "../context.js";
import type { Output } from "../output.js";
import { runJobInForeground } from "../runJobInForeground.js";

interface ReferenceModelCommandOptions {
  out?: string;
  force?: boolean;
  quick?: boolean;
}

type Printed = ReferenceModelResult & { outPath: string | null };

export function registerReferenceModelCommands(program: Command, context: CliContext): void {
  program
    .command("reference-model")
    .description(
      "build (first time) or show the small llama model this project trains itself, with held-out texts",
    )
    .option("--out <path>", "also copy the model file to this path")
    .option("--force", "rebuild even if a build of the same recipe is cached")
    .option("--quick", "train a few steps only (same shapes and files; for pipeline checks, not quality)")
    .action(async (options: ReferenceModelCommandOptions) => {
      const { output } = context;
      const result = await ensureReferenceModel(context, {
        variant: options.quick ? "quick" : "full",
        force: options.force,
      });
      if (!result) return;
      const printed: Printed = {
        ...result,
        outPath: options.out ? copyModel(result.modelPath, options.out) : null,
      };
      output.result(printed, () => printResult(output, printed));
    });
}

/**
 * The reference model of this recipe: from the cache, or built first by a "reference.build" job in
 * the foreground (progress on stderr, Ctrl+C cancels). Null when the build did not succeed; the
 * job's failure is already reported and the exit code set.
 */
export async function ensureReferenceModel(
  context: CliContext,
  options: { variant: ReferenceVariant; force?: boolean },
): Promise<ReferenceModelResult | null> {
  const { variant } = options;
  const dir = referenceDir(
    context.workbench().paths.dataDir,
    variant,
    recipeHash(referenceRecipe(variant), readSotuAddresses()),
  );
  const release = await lockReference(dir, {
    onWait: (pid) => context.output.note(`process ${pid} is building this reference model; waiting for it`),
  });
  try {
    const cached = options.force ? null : readCachedReference(dir);
    if (cached) return cached;
    const job = await runJobInForeground(context, "reference.build", { variant }, { printResult: false });
    return job.state === "succeeded" ? (job.result as ReferenceModelResult) : null;
  } finally {
    release();
  }
}

/** Copies through a temp file beside the target, so PATH holds the whole model or nothing new. */
function copyModel(from: string, to: string): string {
  const target = path.resolve(to);
  const temp = `${target}.partial-${process.pid}`;
  try {
    copyFileSync(from, temp);
    renameSync(temp, target);
  } catch (error) {
    rmSync(temp, { force: true });
    throw new Error(
      `${target}: cannot write the model copy (${error instanceof Error ? error.message : String(error)})`,
      { cause: error },
    );
  }
  return target;
}

function printResult(output: Output, r: Printed): void {
  const a = r.architecture;
  const t = r.training;
  const h = r.heldOut;
  output.fields([
    ["model", `${r.modelPath}${r.cached ? " (cached)" : ""}`],
    ...(r.outPath ? ([["copied to", r.outPath]] as const) : []),
    ["recipe", `${r.variant}-${r.recipeHash}`],
    [
      "architecture",
      `llama, ${a.nLayer} layers, n_embd ${a.nEmbd}, n_ff ${a.nFf}, ${a.nHead} heads, context ${a.nCtx}, ${a.storage}`,
    ],
    ["parameters", `${a.nParams.toLocaleString("en-US")} (${formatBytes(r.sizeBytes)} file)`],
    ["tokenizer", `${r.tokenizer.source}`],
    [
      "training",
      `${t.steps} steps × ${t.tokensPerStep} tokens = ${t.tokens.toLocaleString("en-US")} tokens in ${formatDuration(t.seconds)} (${Math.round(t.tokensPerSecond)} tokens/s), final loss ${t.finalLoss.toFixed(3)}${t.timeLimited ? ` (stopped by the clock limit, ${t.plannedSteps} planned)` : ""}`,
    ],
    [
      "start PPL",
      `${t.startPerplexity.toFixed(1)} (bigram start, before the optimizer; trained: ${t.trainable ? `/${t.trainable}/` : "every tensor but token_embd"})`,
    ],
    [
      "held-out PPL",
      `${h.perplexity.toFixed(1)} on ${h.tokens.toLocaleString("en-US")} tokens of addresses ${h.years.join(", ")}`,
    ],
    [
      "unigram PPL",
      `${h.unigramPerplexity.toFixed(1)} (same tokenizer; the model is ${h.improvement.toFixed(2)}x better)`,
    ],
    [
      "calibration",
      `${r.calibrationText.path} (${formatBytes(r.calibrationText.bytes)}, ${r.calibrationText.years.length} addresses)`,
    ],
    [
      "eval text",
      `${r.evalText.path} (${formatBytes(r.evalText.bytes)}, ${r.evalText.years.length} addresses)`,
    ],
    ["built", `${r.builtAt} in ${formatDuration(r.buildSeconds)}`],
  ]);
}
