// `cwb sweep`'s speculative options: decode a target (--spec-target original|TYPE|MODEL) with every
// variant (--spec-drafts all) or the listed ones (--spec-drafts Q4_K_M,Q2_K) as its draft, on the
// prompts of --spec-prompts FILE (one per line, as `cwb speculate --prompts`). Settings not given keep
// the sweep's defaults (shared/domain/experiment.ts, sweepSpeculate).
import type { Command } from "commander";
import type { SweepRecipeInput } from "../../shared/domain/experiment.js";
import { readPromptsFile } from "./commands/speculate.js";
import { positiveInteger } from "./parseOptions.js";

export interface SweepSpeculateOptions {
  specTarget?: string;
  specDrafts?: string;
  specPrompts?: string;
  specMaxTokens?: string;
  specDraftMax?: string;
  specReps?: string;
}

export function addSweepSpeculateOptions(command: Command): Command {
  return command
    .option(
      "--spec-target <original|type|model>",
      "speculative decoding: the target, the base (original), a type of the sweep or a library model",
    )
    .option("--spec-drafts <all|list>", "speculative decoding: the drafts, all variants or e.g. Q4_K_M,Q2_K")
    .option("--spec-prompts <file>", "speculative decoding: prompts, one per line")
    .option("--spec-max-tokens <n>", "speculative decoding: tokens generated per prompt (default 32)")
    .option("--spec-draft-max <n>", "speculative decoding: most tokens drafted per round (default 4)")
    .option("--spec-reps <n>", "speculative decoding: timed repetitions of every prompt (default 2)");
}

/** The recipe's speculative part, or null when no --spec-* option is given. */
export function sweepSpeculateFromOptions(o: SweepSpeculateOptions): Pick<SweepRecipeInput, "speculate"> {
  const given = Object.entries(o).some(([key, value]) => key.startsWith("spec") && value !== undefined);
  if (!given) return { speculate: null };
  if (o.specTarget === undefined || o.specPrompts === undefined)
    throw new Error("sweep: speculative decoding needs --spec-target and --spec-prompts");
  const drafts = o.specDrafts ?? "all";
  const optional = (flag: string, value: string | undefined) =>
    value === undefined ? undefined : positiveInteger(flag, value);
  return {
    speculate: {
      target: o.specTarget,
      drafts:
        drafts.trim().toLowerCase() === "all"
          ? "all"
          : drafts
              .split(",")
              .map((d) => d.trim())
              .filter(Boolean),
      prompts: readPromptsFile(o.specPrompts),
      maxTokens: optional("--spec-max-tokens", o.specMaxTokens),
      draftMax: optional("--spec-draft-max", o.specDraftMax),
      reps: optional("--spec-reps", o.specReps),
    },
  };
}
