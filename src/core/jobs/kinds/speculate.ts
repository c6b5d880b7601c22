// speculate, parent half: records one 'speculate' run per draft size, on the target model, with the
// draft and the prompts' hash named in the settings, so a sweep re-run reuses them and Compare ranks
// the drafts of a target.
import { upsertMachine } from "../../machine/machineStore.js";
import { insertRun } from "../../store/runs.js";
import { speculateMetrics } from "../../../shared/domain/speculate.js";
import { promptsSha256 } from "../../speculate/promptsSha256.js";
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
            settings: {
              ...value.settings,
              draftMax: point.draftMax,
              draftModelId: params.draft?.modelId ?? null,
              promptsSha256: promptsSha256(params.prompts),
            },
            details: {
              counts: point.counts,
              prompts: point.prompts.length,
              loadAverage: value.loadAverage,
              memory: value.memory,
            },
          },
          speculateMetrics(point),
        ),
      );
    })();
    return {
      ...value,
      runIds,
      targetModelId: params.target.modelId,
      draftModelId: params.draft?.modelId ?? null,
    };
  },
});
