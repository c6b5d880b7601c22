// distill, parent half: records the teacher files the worker computed (base-logits artifacts, reused
// by later runs and evaluations), moves the student into place as a variant of its starting model
// (recipe kind 'distill': teacher, data hashes, settings, loss and held-out figures), and removes the
// run's checkpoint folder.
import { llamaBuildLabel } from "../../../shared/domain/llamaBuild.js";
import { rmSync, statSync } from "node:fs";
import path from "node:path";
import type { DistillJobParams, TeacherCacheRef } from "../../../shared/domain/distill.js";
import { findBaseCache, recordBaseCache } from "../../eval/baseDistributionCache.js";
import { teacherCacheKey } from "../../distill/teacherCache.js";
import { getModel } from "../../library/modelLibrary.js";
import { dataPaths } from "../../paths.js";
import type { Db } from "../../store/Store.js";
import { OutputExistsError } from "../commitOutput.js";
import { defineJobKindHost, type CompletionContext } from "../JobKindHost.js";
import { recordVariant } from "./recordVariant.js";
import { checkFileTrainable } from "../../distill/checkTrainable.js";

interface TeacherOutput {
  path: string;
  fresh: boolean;
  meanK: number;
  meanMassKept: number;
  positions: number;
}

async function recordTeacher(
  params: DistillJobParams,
  text: DistillJobParams["text"],
  ref: TeacherCacheRef,
  output: TeacherOutput,
  { db, dataDir, job }: CompletionContext,
): Promise<{ artifactId: string; reused: boolean; meanK: number; meanMassKept: number }> {
  const key = teacherCacheKey(params.teacher.sha256, text.sha256, ref);
  if (!output.fresh) {
    const found = findBaseCache(db, params.teacher.modelId, key);
    if (!found) throw new Error(`${output.path}: the cached teacher distributions are no longer recorded`);
    // The facts were recorded with the file (an evaluation's records the rest mass instead).
    const s = found.settings as { meanK?: number; meanMassKept?: number; meanRestMass?: number };
    return {
      artifactId: found.id,
      reused: true,
      meanK: s.meanK ?? 0,
      meanMassKept: s.meanMassKept ?? 1 - (s.meanRestMass ?? 1),
    };
  }
  const artifact = await recordBaseCache(db, {
    tempPath: output.path,
    artifactsDir: dataPaths(dataDir).artifacts,
    key,
    baseModelId: params.teacher.modelId,
    textSetId: text.textSetId,
    jobId: job.id,
    details: {
      purpose: "distillation teacher",
      meanK: output.meanK,
      meanMassKept: output.meanMassKept,
      positions: output.positions,
    },
  });
  return { artifactId: artifact.id, reused: false, meanK: output.meanK, meanMassKept: output.meanMassKept };
}

/** The student's library id: known when planned, or the model its graph's prune step recorded. */
function studentModelId(db: Db, student: DistillJobParams["student"]): string | null {
  if (student.modelId) return student.modelId;
  try {
    return getModel(db, student.path).id;
  } catch {
    return null;
  }
}

export const distillHost = defineJobKindHost({
  kind: "distill",
  async estimateOutput(params) {
    if (statSync(params.outPath, { throwIfNoEntry: false })) throw new OutputExistsError(params.outPath);
    await checkFileTrainable(params.student.path, "student");
    // The student at F32 (scratch copies in tmp) and, at most, the teacher files.
    const student =
      statSync(params.student.path, { throwIfNoEntry: false })?.size ?? statSync(params.teacher.path).size;
    return { bytes: student * 4, dir: path.dirname(path.resolve(params.outPath)) };
  },
  async complete(value, params, context) {
    const textArtifact = await recordTeacher(
      params,
      params.text,
      params.teacherText,
      value.teacherText,
      context,
    );
    const heldoutArtifact =
      params.heldout && params.teacherHeldout && value.teacherHeldout
        ? await recordTeacher(params, params.heldout, params.teacherHeldout, value.teacherHeldout, context)
        : null;
    const training = value.training;
    const last = training.heldout.at(-1) ?? null;
    const recorded = await recordVariant(
      {
        facts: value.facts,
        outPath: params.outPath,
        lineage: {
          parentId: studentModelId(context.db, params.student),
          recipeKind: "distill",
          recipe: {
            teacher: { modelId: params.teacher.modelId, sha256: params.teacher.sha256 },
            studentFrom: params.studentFrom,
            text: { sha256: params.text.sha256, teacherArtifactId: textArtifact.artifactId },
            // The teacher-generated data set (and its mix with real text), when the text is one.
            data: params.data,
            heldout: params.heldout
              ? { sha256: params.heldout.sha256, teacherArtifactId: heldoutArtifact?.artifactId ?? null }
              : null,
            loss: {
              objective: "alpha * CE(next token) + (1 - alpha) * T^2 * KL(teacher_T || student_T)",
              final: training.finalLoss,
              heldoutStart: training.heldout[0] ?? null,
              heldoutEnd: last,
            },
            teacherTopK: { k: params.settings.topK, meanMassKept: textArtifact.meanMassKept },
            steps: training.steps,
            tokens: training.tokens,
            settings: params.settings,
            build: value.build,
          },
          llamaBuild: llamaBuildLabel(value.build.release, value.build.commit),
          textSetId: params.text.textSetId,
        },
      },
      context,
    );
    rmSync(params.checkpoint.path, { recursive: true, force: true });
    return {
      model: recorded.model,
      alreadyPresent: recorded.alreadyPresent,
      teacherArtifacts: {
        text: { artifactId: textArtifact.artifactId, reused: textArtifact.reused },
        heldout: heldoutArtifact
          ? { artifactId: heldoutArtifact.artifactId, reused: heldoutArtifact.reused }
          : null,
      },
      meanK: textArtifact.meanK,
      meanMassKept: textArtifact.meanMassKept,
      training,
      data: params.data,
    };
  },
});
