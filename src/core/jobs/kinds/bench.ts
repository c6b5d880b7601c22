// bench, parent half: records the worker's measurements as a 'bench' run (core/bench/recordBench.ts).
import { recordBench } from "../../bench/recordBench.js";
import { defineJobKindHost } from "../JobKindHost.js";

export const benchHost = defineJobKindHost({
  kind: "bench",
  complete(value, params, { db, job }) {
    return recordBench(value, {
      db,
      modelId: params.model.modelId,
      jobId: job.id,
      experimentId: job.experimentId,
    });
  },
});
