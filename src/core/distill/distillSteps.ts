// The distillation graph's step hook (core/jobs/JobGraph.ts): "drop the N least important blocks"
// cannot know which blocks until its layer-importance step has ranked them; the prune is planned then,
// into the path the distill step was planned to read its student from.
import type { LayersJobResult } from "../../shared/domain/compression.js";
import type { StepHookRegistry } from "../jobs/JobGraph.js";
import { planPrune } from "../quantize/planPrune.js";

export interface DistillPruneInput {
  model: string;
  drop: number;
  out: string;
  threads: number | null;
  layersStep: string;
  textSetId: string | null;
}

export const distillStepHooks: StepHookRegistry = {
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
