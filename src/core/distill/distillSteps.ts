// The distillation graph's step hooks (core/jobs/JobGraph.ts): "drop the N least important blocks"
// cannot know which blocks until its layer-importance step has ranked them; the prune is planned then,
// into the path the distill step was planned to read its student from. The distill step then reads
// the student the prune recorded, which is elsewhere when the library already had that very model.
import type { LayersJobResult } from "../../shared/domain/compression.js";
import type { DistillJobParams } from "../../shared/domain/distill.js";
import type { DependencyOutcome, StepHookRegistry } from "../jobs/JobGraph.js";
import { planPrune } from "../quantize/planPrune.js";

export interface DistillPruneInput {
  model: string;
  drop: number;
  out: string;
  threads: number | null;
  layersStep: string;
  textSetId: string | null;
}

/**
 * A planned student's params pointed at the model its prune step recorded: the planned path, or the
 * library's copy of the same model at another path (the prune's duplicate is removed then).
 */
export function studentFromPrune(
  params: DistillJobParams,
  dependencies: DependencyOutcome[],
): DistillJobParams {
  if (params.student.modelId) return params;
  for (const d of dependencies) {
    const model =
      d.state === "succeeded" ? (d.result as { model?: { id: string; path: string } } | null)?.model : null;
    if (model) return { ...params, student: { path: model.path, modelId: model.id } };
  }
  return params;
}

export const distillStepHooks: StepHookRegistry = {
  "distill.student": {
    params: (input, dependencies) => ({ params: studentFromPrune(input as DistillJobParams, dependencies) }),
  },
  "distill.prune": {
    async params(input, dependencies, { db, dataDir }) {
      const i = input as DistillPruneInput;
      const layers = dependencies.find((d) => d.stepKey === i.layersStep && d.state === "succeeded");
      if (!layers) return { skip: `skipped: the layer importance (${i.layersStep}) was not measured` };
      const ranked = layers.result as LayersJobResult;
      const params = await planPrune(db, dataDir, {
        model: i.model,
        drop: i.drop,
        ranking: { layersRunId: ranked.runId, order: ranked.ranking, textSetId: i.textSetId },
        threads: i.threads,
        out: i.out,
      });
      return { params };
    },
  },
};
