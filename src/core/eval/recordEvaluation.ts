// The parent half of an evaluation: stores what the worker measured. The new base file becomes a
// 'base-logits' artifact, the machine is recorded, and every evaluated model gets a run of kind
// 'eval' with its metrics (the base too, when its distributions were computed by this job).
import type { EvalJobResult, EvalSettings, EvaluationOutput } from "../../shared/domain/eval.js";
import { upsertMachine } from "../machine/machineStore.js";
import { nodeLlamaCppVersion } from "../machine/machineFingerprint.js";
import { insertRun } from "../store/runs.js";
import type { Db } from "../store/Store.js";
import { baseCacheFormat, baseCacheKey, findBaseCache, recordBaseCache } from "./baseDistributionCache.js";
import { evalMetrics } from "./evalFigures.js";

export interface EvaluationRequest {
  baseModelId: string;
  baseSha256: string;
  textPath: string;
  textSha256: string;
  textSetId: string | null;
  settings: EvalSettings;
  /** The cached base file the worker used, or null when it wrote a new one. */
  baseCachePath: string | null;
}

export interface RecordContext {
  db: Db;
  artifactsDir: string;
  jobId: string | null;
}

export async function recordEvaluation(
  request: EvaluationRequest,
  output: EvaluationOutput,
  context: RecordContext,
): Promise<EvalJobResult> {
  const { db } = context;
  const key = baseCacheKey(request.baseSha256, request.textSha256, request.settings);

  let baseCache: EvalJobResult["baseCache"];
  let cachedBasePpl: { value: number; uncertainty: number } | undefined;
  if (output.base) {
    const artifact = await recordBaseCache(db, {
      tempPath: output.base.file.path,
      artifactsDir: context.artifactsDir,
      key,
      baseModelId: request.baseModelId,
      textSetId: request.textSetId,
      jobId: context.jobId,
      details: {
        positions: output.base.figures.positions,
        chunksEvaluated: output.chunks,
        meanK: output.base.file.meanK,
        meanRestMass: output.base.file.meanRestMass,
        maxRestMass: output.base.file.maxRestMass,
        nVocab: output.base.nVocab,
        basePpl: output.base.figures.ppl,
      },
    });
    baseCache = { artifactId: artifact.id, path: artifact.path, bytes: artifact.bytes, reused: false };
  } else {
    const artifact = findBaseCache(db, request.baseModelId, key);
    if (!artifact)
      throw new Error(
        `${request.baseCachePath ?? "base cache"}: the cached base distributions are no longer recorded`,
      );
    baseCache = { artifactId: artifact.id, path: artifact.path, bytes: artifact.bytes, reused: true };
    cachedBasePpl = artifact.settings.basePpl as { value: number; uncertainty: number } | undefined;
  }

  const nodeLlamaCpp = nodeLlamaCppVersion();
  const settings = {
    ...request.settings,
    chunksEvaluated: output.chunks,
    threadsUsed: output.threads,
    textPath: request.textPath,
    textSha256: request.textSha256,
    baseCacheArtifactId: baseCache.artifactId,
    baseCacheFormat,
  };
  return db.transaction(() => {
    upsertMachine(db, output.machine);
    const common = {
      kind: "eval" as const,
      baseModelId: request.baseModelId,
      textSetId: request.textSetId,
      jobId: context.jobId,
      machineId: output.machine.id,
      llamaBuild: output.llamaBuild,
      nodeLlamaCpp,
      settings,
    };
    let baseRunId: string | null = null;
    if (output.base) {
      baseRunId = insertRun(
        db,
        {
          ...common,
          modelId: request.baseModelId,
          details: {
            role: "base",
            figures: output.base.figures,
            baseFile: output.base.file,
            backend: output.backend,
          },
        },
        evalMetrics(output.base.figures, output.base.evalSeconds),
      );
    }
    const variants = output.variants.map((v) => ({
      modelId: v.modelId,
      runId: insertRun(
        db,
        {
          ...common,
          modelId: v.modelId,
          details: {
            role: "variant",
            figures: v.figures,
            kldMethod: "compact top-k + lumped tail",
            backend: output.backend,
          },
        },
        evalMetrics(v.figures, v.evalSeconds),
      ),
      figures: v.figures,
      evalSeconds: v.evalSeconds,
    }));
    const basePpl = output.base?.figures.ppl ??
      cachedBasePpl ??
      variants[0]?.figures.basePpl ?? { value: 0, uncertainty: 0 };
    return {
      baseModelId: request.baseModelId,
      baseRunId,
      basePpl,
      baseCache,
      variants,
      backend: output.backend,
    };
  })();
}
