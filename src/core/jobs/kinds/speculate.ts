// speculate, parent half: records one 'speculate' run per draft size, on the target model, with the
// draft named in the settings, so sweeps are kept and a later Compare can reuse them.
import { upsertMachine } from "../../machine/machineStore.js";
import { insertRun } from "../../store/runs.js";
import { speculateMetrics } from "../../../shared/domain/speculate.js";
import { defineJobKindHost } from "../JobKindHost.js";

export const speculateHost = defineJobKindHost({
  kind: "speculate",
  complete(value, params, { db, job }) {
    const runIds = db.transaction(() => {
      upsertMachine(db, value.machine);
      return value.points.map((point) =>
        insertRun(
          db,
          {
            kind: "speculate",
            modelId: params.target.modelId,
            jobId: job.id,
            experimentId: job.experimentId,
            machineId: value.machine.id,
            llamaBuild: value.llamaBuild,
            nodeLlamaCpp: value.nodeLlamaCpp,
            settings: { ...value.settings, draftMax: point.draftMax, draftModelId: params.draft?.modelId ?? null },
            details: { counts: point.counts, prompts: point.prompts.length, loadAverage: value.loadAverage },
          },
          speculateMetrics(point),
        ),
      );
    })();
    return { ...value, runIds, targetModelId: params.target.modelId, draftModelId: params.draft?.modelId ?? null };
  },
});
