// An experiment's recorded recipe as label/value lines for the History screen. The recipe is stored
// as JSON and may come from an older version, so it is read defensively through the schema.
import { sweepRecipe, type ExperimentState, type SweepPrune } from "../../../shared/domain/experiment.js";
import { formatInteger } from "../../../shared/format.js";
import { describeGpuSettings } from "../../../shared/domain/runDevice.js";

export interface RecipeLine {
  readonly label: string;
  readonly value: string;
}

function fileName(path: string): string {
  return path.split(/[/\\]/).pop() ?? path;
}

export function recipeLines(recipe: unknown): RecipeLine[] {
  const parsed = sweepRecipe.safeParse(recipe);
  if (!parsed.success)
    return [
      { label: "Recipe", value: recipe === null || recipe === undefined ? "—" : JSON.stringify(recipe) },
    ];
  const r = parsed.data;
  const imatrix =
    r.imatrix === "none"
      ? "none"
      : r.imatrix === "auto"
        ? `computed from ${r.calibrationText ? fileName(r.calibrationText) : "the calibration text"}`
        : `file ${fileName(r.imatrix.path)}`;
  return [
    { label: "Types", value: r.types.join(", ") },
    { label: "Importance matrix", value: imatrix },
    {
      label: "Evaluation",
      value: r.evalText
        ? `${fileName(r.evalText)}, context ${r.evalContextSize}, ${r.evalChunks === null ? "all chunks" : `${r.evalChunks} chunk${r.evalChunks === 1 ? "" : "s"}`}`
        : "off",
    },
    { label: "Benchmark", value: r.bench ? `${r.benchReps} rep${r.benchReps === 1 ? "" : "s"}` : "off" },
    ...(r.prune ? [{ label: "Prune", value: describePrune(r.prune) }] : []),
    ...(r.distill
      ? [
          {
            label: "Distill",
            value: `${r.distill.settings.tokens !== null ? `${formatInteger(r.distill.settings.tokens)} tokens` : `${r.distill.settings.seconds} s`}, lr ${r.distill.settings.lr}, T ${r.distill.settings.temperature}, α ${r.distill.settings.alpha}`,
          },
        ]
      : []),
    ...(r.speculate
      ? [
          {
            label: "Speculative",
            value: `target ${r.speculate.target}, drafts ${r.speculate.drafts === "all" ? "all" : r.speculate.drafts.join(", ")}, ${r.speculate.prompts.length} prompt${r.speculate.prompts.length === 1 ? "" : "s"}, ${r.speculate.maxTokens} tokens, draft ≤ ${r.speculate.draftMax}, ${r.speculate.reps} rep${r.speculate.reps === 1 ? "" : "s"}`,
          },
        ]
      : []),
    { label: "Threads", value: r.threads === null ? "auto" : String(r.threads) },
    { label: "Device", value: describeGpuSettings(r) },
  ];
}

function describePrune(prune: SweepPrune): string {
  if (prune.by === "least-important")
    return `the ${prune.drop} least important block${prune.drop === 1 ? "" : "s"}`;
  if (prune.by === "blocks") return `blocks ${prune.blocks.join(", ")}`;
  return `width: FFN ${prune.ffnKeep ?? "all"}, KV groups ${prune.headsKeep ?? "all"} kept`;
}

/** "3 succeeded, 1 failed" in a stable order; running work first. */
/** The experiment's state (derived from its jobs) in words. */
export function describeExperimentState(state: ExperimentState): string {
  switch (state) {
    case "empty":
      return "nothing to run";
    case "running":
      return "running";
    case "succeeded":
      return "finished";
    case "failed":
      return "failed (resumable)";
    case "cancelled":
      return "cancelled (resumable)";
    case "interrupted":
      return "interrupted (resumable)";
  }
}

export function describeJobCounts(counts: Readonly<Record<string, number>>): string {
  const order = ["running", "queued", "succeeded", "failed", "cancelled", "interrupted"];
  const rank = (state: string) => (order.includes(state) ? order.indexOf(state) : order.length);
  const parts = Object.entries(counts)
    .filter(([, n]) => n > 0)
    .sort(([a], [b]) => rank(a) - rank(b))
    .map(([state, n]) => `${n} ${state}`);
  return parts.length > 0 ? parts.join(", ") : "no jobs";
}
