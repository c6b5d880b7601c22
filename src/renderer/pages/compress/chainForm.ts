// The Compress screen's chain steps as the user edits them: a Prune step (blocks or width) and a
// Distill step that heals the pruned model from the base; what is wrong with them, in words, and
// their part of the sweep recipe. Pure functions.
import type { SweepRecipeInput } from "../../../shared/domain/experiment.js";

export type PruneMode = "off" | "drop" | "blocks" | "width";

export interface ChainForm {
  readonly pruneMode: PruneMode;
  /** "drop": how many of the least important blocks. */
  readonly pruneDrop: number | null;
  /** "blocks": the block indices, "3,5". */
  readonly pruneBlocks: string;
  /** "width": FFN channels and KV groups to keep ("0.75", "75%" or a count; empty keeps all). */
  readonly ffnKeep: string;
  readonly headsKeep: string;
  readonly distillOn: boolean;
  readonly distillTokens: number | null;
  readonly lr: number | null;
  readonly temperature: number | null;
  readonly alpha: number | null;
  /** Ranks blocks or channels and trains the student; empty: the importance matrix's calibration text. */
  readonly text: string;
  /** Followed while training (optional). */
  readonly heldout: string;
}

export const emptyChain: ChainForm = {
  pruneMode: "off",
  pruneDrop: 1,
  pruneBlocks: "",
  ffnKeep: "0.75",
  headsKeep: "",
  distillOn: false,
  distillTokens: 15_360,
  lr: 1e-4,
  temperature: 1,
  alpha: 0,
  text: "",
  heldout: "",
};

const blockList = /^\s*\d+(\s*,\s*\d+)*\s*$/;

/** Everything in the chain that blocks starting, each as a sentence. */
export function chainProblems(chain: ChainForm, calibrationText: string): string[] {
  if (chain.pruneMode === "off")
    return chain.distillOn ? ["Healing needs a Prune step: choose what to prune."] : [];
  const problems: string[] = [];
  if (
    chain.pruneMode === "drop" &&
    !(chain.pruneDrop !== null && Number.isInteger(chain.pruneDrop) && chain.pruneDrop >= 1)
  )
    problems.push("Prune: drop at least one block.");
  if (chain.pruneMode === "blocks" && !blockList.test(chain.pruneBlocks))
    problems.push("Prune: list the blocks to drop as indices, e.g. 3,5.");
  if (chain.pruneMode === "width" && !chain.ffnKeep.trim() && !chain.headsKeep.trim())
    problems.push("Prune: say how much of the FFN width or of the heads to keep.");
  const needsText = chain.pruneMode !== "blocks" || chain.distillOn;
  if (needsText && !chain.text.trim() && !calibrationText.trim())
    problems.push("Give the text that ranks what to prune and trains the healing (Prune and distill text).");
  if (chain.distillOn) {
    if (!(chain.distillTokens !== null && Number.isInteger(chain.distillTokens) && chain.distillTokens >= 1))
      problems.push("Distill: give the number of tokens to train on.");
    if (!(chain.lr !== null && chain.lr > 0)) problems.push("Distill: the learning rate must be above 0.");
    if (!(chain.temperature !== null && chain.temperature >= 0.05 && chain.temperature <= 100))
      problems.push("Distill: the temperature must be between 0.05 and 100.");
    if (!(chain.alpha !== null && chain.alpha >= 0 && chain.alpha <= 1))
      problems.push("Distill: the hard-label weight must be between 0 and 1.");
  }
  return problems;
}

/** The chain's text: its own, else the importance matrix's calibration text. */
export function chainText(chain: ChainForm, calibrationText: string): string | null {
  return chain.text.trim() || calibrationText.trim() || null;
}

export function toChainRecipe(chain: ChainForm): Pick<SweepRecipeInput, "prune" | "distill"> {
  const prune: SweepRecipeInput["prune"] =
    chain.pruneMode === "drop"
      ? { by: "least-important", drop: chain.pruneDrop ?? 1 }
      : chain.pruneMode === "blocks"
        ? { by: "blocks", blocks: chain.pruneBlocks.split(",").map((b) => Number(b.trim())) }
        : chain.pruneMode === "width"
          ? { by: "width", ffnKeep: chain.ffnKeep.trim() || null, headsKeep: chain.headsKeep.trim() || null }
          : null;
  if (!prune) return { prune: null, distill: null };
  return {
    prune,
    distill: chain.distillOn
      ? {
          settings: {
            tokens: chain.distillTokens,
            lr: chain.lr ?? undefined,
            lrMin: (chain.lr ?? 1e-4) / 10,
            temperature: chain.temperature ?? undefined,
            alpha: chain.alpha ?? undefined,
          },
          text: chain.text.trim() || null,
          heldout: chain.heldout.trim() || null,
        }
      : null,
  };
}

/** Variants the chain adds to `types` variants of the original: each chain model and its quants. */
export function chainVariantCount(chain: ChainForm, types: number): number {
  if (chain.pruneMode === "off") return 0;
  const models = chain.distillOn ? 2 : 1;
  return models * (types + 1);
}
