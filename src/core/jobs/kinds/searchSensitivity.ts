// search.sensitivity, parent half: declares the room one quantized cell needs, records a new base
// file as the 'base-logits' artifact every later evaluation reuses, and adds the measured cells to
// the search's cache (core/search/sensitivityCache.ts).
import { statSync } from "node:fs";
import { baseCacheKey, recordBaseCache } from "../../eval/baseDistributionCache.js";
import { addToSensitivityCache, sensitivityCachePath } from "../../search/sensitivityCache.js";
import { dataPaths } from "../../paths.js";
import { defineJobKindHost } from "../JobKindHost.js";

export const searchSensitivityHost = defineJobKindHost({
  kind: "search.sensitivity",
  estimateOutput(params, { dataDir }) {
    // One cell's file at a time, never larger than the model (the baseline is high precision).
    return { bytes: statSync(params.model.path).size, dir: dataPaths(dataDir).tmp };
  },
  async complete(value, params, { db, dataDir, job }) {
    const artifactsDir = dataPaths(dataDir).artifacts;
    let baseCachePath = params.baseCachePath;
    if (value.base) {
      const artifact = await recordBaseCache(db, {
        tempPath: value.base.file.path,
        artifactsDir,
        key: baseCacheKey(params.model.sha256, params.text.sha256, params.settings),
        baseModelId: params.model.modelId,
        textSetId: params.text.textSetId,
        jobId: job.id,
        details: {
          positions: value.base.figures.positions,
          chunksEvaluated: value.chunks,
          meanK: value.base.file.meanK,
          meanRestMass: value.base.file.meanRestMass,
          maxRestMass: value.base.file.maxRestMass,
          nVocab: value.base.nVocab,
          basePpl: value.base.figures.ppl,
        },
      });
      baseCachePath = artifact.path;
    }
    if (!baseCachePath) throw new Error("search.sensitivity: no base distributions were cached");
    const cacheFile = sensitivityCachePath(artifactsDir, {
      modelSha256: params.model.sha256,
      textSha256: params.text.sha256,
      imatrixSha256: params.imatrix?.sha256 ?? null,
      baselineType: params.baseline.type,
      settings: params.settings,
    });
    addToSensitivityCache(cacheFile, value.cells);
    return {
      cells: value.cells,
      baseCachePath,
      cacheFile,
      chunks: value.chunks,
      basePassSeconds: value.basePassSeconds,
    };
  },
});
