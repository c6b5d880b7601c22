// A sweep's chain as History shows it: original → pruned → healed, each stage's model and its quant
// variants, with the state of the step that makes each (from the experiment's jobs, newest per
// step), "reused" when an earlier result stands in for the step, or "not made". Pure functions.
import {
  chainLabels,
  chainVariantLabel,
  sweepPrune,
  type ChainStage,
  type ExperimentRow,
  type ExperimentSummary,
} from "../../../shared/domain/experiment.js";
import type { Job } from "../../../shared/domain/job.js";

export interface ChainItem {
  label: string;
  /** A job state, "reused" (a result from before, no job) or "not made". */
  state: string;
  /** The library model, once made. */
  modelId?: string;
}

export interface ChainColumn {
  stage: ChainStage;
  model: ChainItem;
  quants: ChainItem[];
}

interface ChainRecipe {
  types?: string[];
  prune?: unknown;
  distill?: unknown;
}

/** The model a succeeded prune or distill step made (their results carry it), when there is one. */
function madeModelId(job: Job | undefined): { modelId?: string } {
  const model = (job?.state === "succeeded" ? job.result : null) as { model?: { id?: unknown } } | null;
  return typeof model?.model?.id === "string" ? { modelId: model.model.id } : {};
}

/** Whether the experiment's recipe prunes (and so History shows its chain). */
export function hasChain(summary: ExperimentSummary): boolean {
  return sweepPrune.safeParse(((summary.recipe ?? {}) as ChainRecipe).prune).success;
}

/** Step labels the planning gives (runSweep.ts, planSweepChain.ts); null when the recipe has no chain. */
export function chainColumns(summary: ExperimentSummary, jobs: readonly Job[]): ChainColumn[] | null {
  const recipe = (summary.recipe ?? {}) as ChainRecipe;
  const prune = sweepPrune.safeParse(recipe.prune);
  if (!prune.success) return null;
  const labels = chainLabels(prune.data);
  const newest = new Map<string, Job>();
  for (const job of jobs) {
    if (job.experimentId !== summary.id || !job.stepKey) continue;
    const seen = newest.get(job.stepKey);
    if (!seen || seen.createdAt < job.createdAt) newest.set(job.stepKey, job);
  }
  const rowOf = (stage: ChainStage, label: (row: ExperimentRow) => boolean) =>
    summary.rows.find((r) => r.stage === stage && label(r));
  const item = (stepKey: string | null, row: ExperimentRow | undefined, label: string): ChainItem => {
    const job = stepKey ? newest.get(stepKey) : undefined;
    return {
      label: row?.label ?? label,
      state: job?.state ?? (row ? "reused" : "not made"),
      ...(row ? { modelId: row.modelId } : madeModelId(job)),
    };
  };
  const types = [...new Set((recipe.types ?? []).map((t) => t.replace(/\+imatrix$/i, "")))];
  const columns: ChainColumn[] = [];
  const original = summary.rows.find((r) => r.isBase);
  columns.push({
    stage: "original",
    model: { label: original?.label ?? "base", state: original ? "original" : "not made" },
    quants: summary.rows
      .filter((r) => r.stage === "original" && !r.isBase)
      .map((r) => item(`quantize:${r.label}`, r, r.label)),
  });
  const stages: { stage: ChainStage; step: string; label: string }[] = [
    { stage: "pruned", step: "prune", label: labels.pruned },
  ];
  if (recipe.distill) stages.push({ stage: "healed", step: "distill", label: labels.healed });
  for (const { stage, step, label } of stages) {
    columns.push({
      stage,
      model: item(
        step,
        rowOf(stage, (r) => r.label === label),
        label,
      ),
      quants: types.map((type) => {
        const quant = chainVariantLabel(type, label);
        return item(
          `quantize:${quant}`,
          rowOf(stage, (r) => r.label === quant),
          quant,
        );
      }),
    });
  }
  return columns;
}
