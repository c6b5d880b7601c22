// The teacher's cached distributions for distillation: the evaluation's base-distribution cache
// (eval/baseDistributionCache.ts) keyed by (teacher, text, context, chunks, top k, tail, scoreFrom).
// The training text's file scores every position (scoreFrom 0) and keeps the top k with no tail
// samples; the held-out text's file is the evaluation's own, so `cwb eval` on that text reuses it.
import type { DistillSettings, TeacherCacheRef } from "../../shared/domain/distill.js";
import { evalSettings } from "../../shared/domain/eval.js";
import type { Db } from "../store/Store.js";
import { findBaseCache, type BaseCacheKey } from "../eval/baseDistributionCache.js";

export function teacherCacheKey(
  teacherSha256: string,
  textSha256: string,
  ref: TeacherCacheRef,
): BaseCacheKey {
  return {
    baseSha256: teacherSha256,
    textSha256,
    contextSize: ref.contextSize,
    chunks: ref.chunks,
    topKMax: ref.topKMax,
    topMass: ref.topMass,
    tailSamples: ref.tailSamples,
    ...(ref.scoreFrom !== null ? { scoreFrom: ref.scoreFrom } : {}),
  };
}

/**
 * The training text's teacher file: every position, the top k exactly (mass target 1), no tail. By
 * default as many sequences as a token budget trains on (a pass over a long text costs minutes), at
 * least the two the evaluation's chunking needs; with a budget in seconds, the whole text.
 */
export function trainingTeacherRef(settings: DistillSettings): Omit<TeacherCacheRef, "cachedPath"> {
  const budgetChunks =
    settings.tokens !== null ? Math.max(2, Math.ceil(settings.tokens / settings.contextSize)) : null;
  return {
    contextSize: settings.contextSize,
    chunks: settings.textChunks ?? budgetChunks,
    topKMax: settings.topK,
    topMass: 1,
    tailSamples: 0,
    scoreFrom: 0,
  };
}

/** The held-out text's teacher file: what an evaluation with this context and chunk count stores. */
export function heldoutTeacherRef(settings: DistillSettings): Omit<TeacherCacheRef, "cachedPath"> {
  const e = evalSettings.parse({ contextSize: settings.contextSize, chunks: settings.heldoutChunks });
  return {
    contextSize: e.contextSize,
    chunks: e.chunks,
    topKMax: e.topKMax,
    topMass: e.topMass,
    tailSamples: e.tailSamples,
    scoreFrom: null,
  };
}

/** The ref with the recorded file for it, when there is one. */
export function withCachedTeacher(
  db: Db,
  teacher: { modelId: string; sha256: string },
  textSha256: string,
  ref: Omit<TeacherCacheRef, "cachedPath">,
): TeacherCacheRef {
  const full = { ...ref, cachedPath: null };
  const found = findBaseCache(db, teacher.modelId, teacherCacheKey(teacher.sha256, textSha256, full));
  return { ...full, cachedPath: found?.path ?? null };
}
