// distill.data, parent half: records a freshly generated set as a `distill-data` artifact (its sha256,
// the teacher's, the prompt file's and every setting), or passes on the cached one the worker
// re-hashed; the result says which.
import { statSync } from "node:fs";
import { recordDistillData } from "../../distill/distillDataCache.js";
import { dataPaths } from "../../paths.js";
import { defineJobKindHost } from "../JobKindHost.js";

export const distillDataHost = defineJobKindHost({
  kind: "distill.data",
  estimateOutput(params, context) {
    if (params.cached) return null;
    // The prompts again, and about 8 bytes per generated token (a thousand prompts when uncapped).
    const prompts = statSync(params.prompts.path, { throwIfNoEntry: false })?.size ?? 0;
    const samples = params.settings.maxPrompts ?? 1000;
    return { bytes: 2 * prompts + 8 * params.settings.maxTokens * samples, dir: context.dataDir };
  },
  async complete(value, params, { db, dataDir, job }) {
    const { path: _temp, ...worker } = value;
    const facts = { ...worker, teacherSha256: params.teacher.sha256, settings: params.settings };
    if (value.reused && params.cached) return { ...params.cached, ...facts };
    const set = await recordDistillData(db, {
      tempPath: value.path,
      artifactsDir: dataPaths(dataDir).artifacts,
      keyId: params.keyId,
      sha256: value.sha256,
      modelId: params.teacher.modelId,
      textSetId: params.prompts.textSetId,
      jobId: job.id,
      details: {
        role: "generated",
        teacher: { modelId: params.teacher.modelId, sha256: params.teacher.sha256 },
        prompts: { sha256: params.prompts.sha256, textSetId: params.prompts.textSetId },
        settings: params.settings,
        samples: value.samples,
        promptTokens: value.promptTokens,
        generatedTokens: value.generatedTokens,
        endedByTeacher: value.endedByTeacher,
      },
    });
    return { ...set, ...facts, sha256: set.sha256 };
  },
});
