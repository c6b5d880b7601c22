// eval, parent half: declares the base file's size before the job starts (when one will be written)
// and records the worker's measurements: the base-logits artifact and one 'eval' run per model.
import { recordEvaluation } from "../../eval/recordEvaluation.js";
import { defineJobKindHost } from "../JobKindHost.js";
import { dataPaths } from "../../paths.js";

export const evalHost = defineJobKindHost({
  kind: "eval",
  estimateOutput(params, { dataDir }) {
    if (params.baseCachePath) return null;
    // At most 12 + 8·(k + s) bytes per scored position; without a chunk count, assume 2048 chunks.
    const positions = (params.settings.chunks ?? 2048) * Math.max(1, params.settings.contextSize / 2);
    return {
      bytes: positions * (12 + 8 * (params.settings.topKMax + params.settings.tailSamples)),
      dir: dataPaths(dataDir).artifacts,
    };
  },
  async complete(value, params, { db, dataDir, job }) {
    return recordEvaluation(
      {
        baseModelId: params.base.modelId,
        baseSha256: params.base.sha256,
        textPath: params.text.path,
        textSha256: params.text.sha256,
        textSetId: params.text.textSetId,
        settings: params.settings,
        baseCachePath: params.baseCachePath,
      },
      value,
      { db, artifactsDir: dataPaths(dataDir).artifacts, jobId: job.id },
    );
  },
});
