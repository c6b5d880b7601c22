// layers, parent half: stores the per-block importance as a run of kind 'layers' (one metric per
// block: "layer.<i>.importance" and "layer.<i>.relative_change") and returns the ranking.
import type { Metric } from "../../../shared/domain/run.js";
import { nodeLlamaCppVersion } from "../../machine/machineFingerprint.js";
import { upsertMachine } from "../../machine/machineStore.js";
import { insertRun } from "../../store/runs.js";
import { defineJobKindHost } from "../JobKindHost.js";

/** Block indices ordered least important first (ties: lower index first). */
export function rankLayers(layers: readonly { layer: number; importance: number }[]): number[] {
  return [...layers].sort((a, b) => a.importance - b.importance || a.layer - b.layer).map((l) => l.layer);
}

export const layersHost = defineJobKindHost({
  kind: "layers",
  complete(v, params, { db, job }) {
    const metrics: Metric[] = v.layers.flatMap((l) => [
      {
        name: `layer.${l.layer}.importance`,
        value: l.importance,
        unit: "1-cos",
        stddev: null,
        samples: l.tokens,
      },
      {
        name: `layer.${l.layer}.relative_change`,
        value: l.relativeChange,
        unit: "ratio",
        stddev: null,
        samples: l.tokens,
      },
    ]);
    const ranking = rankLayers(v.layers);
    const runId = db.transaction(() => {
      upsertMachine(db, v.machine);
      return insertRun(
        db,
        {
          kind: "layers",
          modelId: params.model.modelId,
          textSetId: params.text.textSetId,
          jobId: job.id,
          experimentId: job.experimentId ?? null,
          machineId: v.machine.id,
          llamaBuild: v.llamaBuild,
          nodeLlamaCpp: nodeLlamaCppVersion(),
          settings: { ...params.settings, textSha256: params.text.sha256, chunksUsed: v.chunks },
          details: {
            ranking,
            tokens: v.tokens,
            seconds: v.seconds,
            measure: "mean over tokens of 1 - cos(block input, block output)",
          },
        },
        metrics,
      );
    })();
    return {
      runId,
      modelId: params.model.modelId,
      tokens: v.tokens,
      seconds: v.seconds,
      layers: v.layers.map(({ layer, importance, relativeChange }) => ({
        layer,
        importance,
        relativeChange,
      })),
      ranking,
    };
  },
});
