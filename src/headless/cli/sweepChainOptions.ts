// `cwb sweep`'s chain options: prune the base (--prune-drop N | --prune-blocks i,j |
// --prune-ffn-keep F [--prune-heads-keep H]) and heal it (--distill-tokens N | --distill-seconds S
// with the other --distill-* settings, named as `cwb distill`'s). Settings not given keep the
// distillation's defaults (shared/domain/distill.ts).
import path from "node:path";
import type { Command } from "commander";
import type { SweepRecipeInput } from "../../shared/domain/experiment.js";
import type { DistillSettingsInput } from "../../shared/domain/distill.js";
import { parseLayerList } from "../../core/quantize/planPrune.js";
import { numberOption, positiveInteger } from "./parseOptions.js";

export interface SweepChainOptions {
  pruneDrop?: string;
  pruneBlocks?: string;
  pruneFfnKeep?: string;
  pruneHeadsKeep?: string;
  distillTokens?: string;
  distillSeconds?: string;
  distillLr?: string;
  distillLrMin?: string;
  distillTemperature?: string;
  distillAlpha?: string;
  distillTopK?: string;
  distillCtx?: string;
  distillTextChunks?: string;
  distillHeldoutChunks?: string;
  distillEvalEvery?: string;
  distillText?: string;
  distillHeldout?: string;
}

export function addSweepChainOptions(command: Command): Command {
  return command
    .option("--prune-drop <n>", "chain: drop the N least important blocks (ranked on --calib-text)")
    .option("--prune-blocks <list>", "chain: drop these blocks, e.g. 3,5")
    .option(
      "--prune-ffn-keep <f>",
      "chain: width pruning, FFN channels kept per block (0.75, 75% or a count)",
    )
    .option("--prune-heads-keep <h>", "chain: width pruning, KV head groups kept per block")
    .option(
      "--distill-tokens <n>",
      "chain: heal the pruned model by distillation from MODEL, this many tokens",
    )
    .option("--distill-seconds <s>", "chain: heal by distillation for this many seconds")
    .option("--distill-lr <rate>", "chain: peak learning rate (default 1e-4)")
    .option("--distill-lr-min <rate>", "chain: final learning rate (default 1e-5)")
    .option("--distill-temperature <t>", "chain: soft-target temperature (default 1)")
    .option("--distill-alpha <a>", "chain: weight of the hard label, 0..1 (default 0)")
    .option("--distill-top-k <k>", "chain: teacher tokens kept per position (default 64)")
    .option("--distill-ctx <n>", "chain: tokens per training sequence, a multiple of 256 (default 256)")
    .option("--distill-text-chunks <n>", "chain: sequences of the training text the teacher scores")
    .option("--distill-heldout-chunks <n>", "chain: held-out sequences per measurement (default 8)")
    .option("--distill-eval-every <steps>", "chain: held-out measurement every N steps (default 10)")
    .option("--distill-text <file>", "chain: training text (default: --calib-text)")
    .option("--distill-heldout <file>", "chain: held-out text followed while training");
}

function pruneFrom(o: SweepChainOptions): SweepRecipeInput["prune"] {
  const width = o.pruneFfnKeep !== undefined || o.pruneHeadsKeep !== undefined;
  const given = [o.pruneDrop !== undefined, o.pruneBlocks !== undefined, width].filter(Boolean).length;
  if (given > 1)
    throw new Error(
      "sweep: give one way to prune: --prune-drop, --prune-blocks or --prune-ffn-keep/--prune-heads-keep",
    );
  if (o.pruneDrop !== undefined)
    return { by: "least-important", drop: positiveInteger("--prune-drop", o.pruneDrop) };
  if (o.pruneBlocks !== undefined) return { by: "blocks", blocks: parseLayerList(o.pruneBlocks) };
  if (width) return { by: "width", ffnKeep: o.pruneFfnKeep ?? null, headsKeep: o.pruneHeadsKeep ?? null };
  return null;
}

function distillSettingsFrom(o: SweepChainOptions, threads: number | null): DistillSettingsInput {
  const optional = <T>(value: string | undefined, parse: (v: string) => T): T | undefined =>
    value === undefined ? undefined : parse(value);
  return {
    tokens: optional(o.distillTokens, (v) => positiveInteger("--distill-tokens", v)) ?? null,
    seconds: optional(o.distillSeconds, (v) => numberOption("--distill-seconds", v, { min: 1 })) ?? null,
    lr: optional(o.distillLr, (v) => numberOption("--distill-lr", v, { min: 0 })),
    lrMin: optional(o.distillLrMin, (v) => numberOption("--distill-lr-min", v, { min: 0 })),
    temperature: optional(o.distillTemperature, (v) =>
      numberOption("--distill-temperature", v, { min: 0.05, max: 100 }),
    ),
    alpha: optional(o.distillAlpha, (v) => numberOption("--distill-alpha", v, { min: 0, max: 1 })),
    topK: optional(o.distillTopK, (v) => positiveInteger("--distill-top-k", v)),
    contextSize: optional(o.distillCtx, (v) => positiveInteger("--distill-ctx", v)),
    textChunks: optional(o.distillTextChunks, (v) => positiveInteger("--distill-text-chunks", v)),
    heldoutChunks: optional(o.distillHeldoutChunks, (v) => positiveInteger("--distill-heldout-chunks", v)),
    evalEvery: optional(o.distillEvalEvery, (v) => positiveInteger("--distill-eval-every", v)),
    threads,
  };
}

/** The recipe's chain: what to prune and how to heal, or nulls when no chain option is given. */
export function sweepChainFromOptions(
  o: SweepChainOptions,
  threads: number | null,
): Pick<SweepRecipeInput, "prune" | "distill"> {
  const prune = pruneFrom(o);
  const budget = o.distillTokens !== undefined || o.distillSeconds !== undefined;
  const anyDistill = Object.entries(o).some(
    ([key, value]) => key.startsWith("distill") && value !== undefined,
  );
  if (anyDistill && !budget)
    throw new Error("sweep: healing needs a budget, --distill-tokens N or --distill-seconds S");
  if (budget && !prune)
    throw new Error(
      "sweep: --distill-* heals a pruned model; say what to prune (--prune-drop, --prune-blocks, --prune-ffn-keep)",
    );
  if (o.distillTokens !== undefined && o.distillSeconds !== undefined)
    throw new Error("sweep: give one budget, --distill-tokens or --distill-seconds");
  return {
    prune,
    distill: budget
      ? {
          settings: distillSettingsFrom(o, threads),
          text: o.distillText ? path.resolve(o.distillText) : null,
          heldout: o.distillHeldout ? path.resolve(o.distillHeldout) : null,
        }
      : null,
  };
}
