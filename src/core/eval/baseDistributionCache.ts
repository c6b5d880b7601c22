// The cache of base-model distributions: one compact file (native/src/evaluate.h describes the format)
// per (base sha256, text sha256, context, chunks, top-k settings), recorded as an artifact of kind
// 'base-logits' under <dataDir>/artifacts/base-logits/ and reused by every later evaluation against
// that base. A distillation teacher's file is the same kind with `scoreFrom: 0` in its key (every
// position scored, not the second half of each chunk). Files move into place only when complete (commitOutput), never over an existing one.
import { createHash } from "node:crypto";
import { existsSync, statSync } from "node:fs";
import path from "node:path";
import type { EvalSettings } from "../../shared/domain/eval.js";
import { commitCachedOutput } from "../jobs/commitOutput.js";
import { insertArtifact, listArtifacts, type Artifact } from "../store/artifacts.js";
import type { Db } from "../store/Store.js";

/** Bumped whenever the file layout or the way it is computed changes. */
export const baseCacheFormat = "cwb-base-v1";

export interface BaseCacheKey {
  baseSha256: string;
  textSha256: string;
  contextSize: number;
  /** null: every whole chunk of the text. */
  chunks: number | null;
  topKMax: number;
  topMass: number;
  tailSamples: number;
  /** First scored position of each chunk; absent: the evaluation's second half. */
  scoreFrom?: number;
}

export function baseCacheKey(baseSha256: string, textSha256: string, settings: EvalSettings): BaseCacheKey {
  return {
    baseSha256,
    textSha256,
    contextSize: settings.contextSize,
    chunks: settings.chunks,
    topKMax: settings.topKMax,
    topMass: settings.topMass,
    tailSamples: settings.tailSamples,
  };
}

/** A short stable id of the key (and the format), used in the file name and the artifact settings. */
export function baseCacheKeyId(key: BaseCacheKey): string {
  const canonical = JSON.stringify([
    baseCacheFormat,
    key.baseSha256,
    key.textSha256,
    key.contextSize,
    key.chunks,
    key.topKMax,
    key.topMass,
    key.tailSamples,
    // Only when set, so the keys of evaluation caches recorded before it existed stay the same.
    ...(key.scoreFrom !== undefined ? [key.scoreFrom] : []),
  ]);
  return createHash("sha256").update(canonical).digest("hex").slice(0, 20);
}

export function baseCacheFilePath(artifactsDir: string, key: BaseCacheKey): string {
  return path.join(
    artifactsDir,
    "base-logits",
    `${key.baseSha256.slice(0, 12)}-${baseCacheKeyId(key)}.cwbbase`,
  );
}

/** The recorded cache for this key whose file is still present and of the recorded size. */
export function findBaseCache(db: Db, baseModelId: string, key: BaseCacheKey): Artifact | undefined {
  const keyId = baseCacheKeyId(key);
  return listArtifacts(db, { modelId: baseModelId, kind: "base-logits" }).find((a) => {
    if (a.settings.keyId !== keyId) return false;
    try {
      return statSync(a.path).size === a.bytes;
    } catch {
      return false;
    }
  });
}

export interface NewBaseCache {
  tempPath: string;
  artifactsDir: string;
  key: BaseCacheKey;
  baseModelId: string;
  textSetId: string | null;
  jobId: string | null;
  /** Facts about the file worth showing (mean k, rest mass, positions). */
  details: Record<string, unknown>;
}

/**
 * Moves a freshly written base file into place and records it. When another job already stored the
 * same key, that artifact is returned and the new file is discarded.
 */
export async function recordBaseCache(db: Db, cache: NewBaseCache): Promise<Artifact> {
  const finalPath = baseCacheFilePath(cache.artifactsDir, cache.key);
  const existing = await commitCachedOutput(cache.tempPath, finalPath, () =>
    findBaseCache(db, cache.baseModelId, cache.key),
  );
  if (existing) return existing;
  if (!existsSync(finalPath))
    throw new Error(`${finalPath}: the base distribution file vanished after it was moved into place`);
  return insertArtifact(db, {
    kind: "base-logits",
    path: finalPath,
    bytes: statSync(finalPath).size,
    modelId: cache.baseModelId,
    textSetId: cache.textSetId,
    jobId: cache.jobId,
    settings: { format: baseCacheFormat, keyId: baseCacheKeyId(cache.key), ...cache.key, ...cache.details },
  });
}
