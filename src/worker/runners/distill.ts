// distill, worker half: the teacher's distributions of the training text (and of the held-out text)
// are computed once by the evaluation's base pass, unless the parent found them cached; the student is
// unpacked to F32 (or taken from the checkpoint of an unfinished run with the same key) and trained on
// the teacher's soft targets (native/src/softTargets.h); then packed in the requested storage type.
// The parent (core/jobs/kinds/distill.ts) records the teacher files and the student as a variant.
import type { DistillJobParams, HeldoutPoint, TeacherCacheRef } from "../../shared/domain/distill.js";
import { heldoutPerplexity } from "../../shared/domain/trainingMetrics.js";
import { inspectModelFile } from "../../core/library/importModel.js";
import { llamaBuildInfo } from "../../core/quantize/llamaBuildInfo.js";
import type { CwbNativeAddon } from "../native/AddonTypes.js";
import { loadNative } from "../native/loadAddon.js";
import { runNativeTask } from "../native/nativeTask.js";
import { defineRunner, type RunnerContext } from "../Runner.js";
import { DistillCheckpoint } from "../distill/distillCheckpoint.js";
import { trainPoints } from "../native/trainPoints.js";

interface TeacherFile {
  path: string;
  fresh: boolean;
  bytes: number;
  meanK: number;
  meanMassKept: number;
  positions: number;
}

/** The teacher's compact distributions of one text: the cached file, or a base pass into the checkpoint folder. */
async function teacherFile(
  addon: CwbNativeAddon,
  params: DistillJobParams,
  ref: TeacherCacheRef,
  textPath: string,
  name: "text" | "heldout",
  checkpoint: DistillCheckpoint,
  context: RunnerContext,
): Promise<TeacherFile> {
  const label = name === "text" ? "training" : "held-out";
  if (ref.cachedPath)
    return { path: ref.cachedPath, fresh: false, bytes: 0, meanK: 0, meanMassKept: 0, positions: 0 };
  const earlier = checkpoint.teacherFacts(name) as TeacherFile | null;
  if (earlier) {
    context.log("info", `teacher distributions of the ${label} text: computed by the interrupted run`);
    return earlier;
  }
  context.progress(null, `teacher: distributions of the ${label} text`);
  const r = await runNativeTask(
    addon.evaluate(
      {
        modelPath: params.teacher.path,
        textPath,
        writeBasePath: checkpoint.teacherPath(name),
        nCtx: ref.contextSize,
        nChunks: ref.chunks ?? -1,
        nBatch: ref.contextSize,
        ...(params.settings.threads ? { nThreads: params.settings.threads } : {}),
        nGpuLayers: 0,
        topKMax: ref.topKMax,
        topMass: ref.topMass,
        tailSamples: ref.tailSamples,
        ...(ref.scoreFrom !== null ? { scoreFrom: ref.scoreFrom } : {}),
      },
      (event) => {
        if (event.type === "progress" && event.done !== undefined && event.total)
          context.progress(null, `teacher: ${label} text, chunk ${event.done} of ${event.total}`);
      },
    ),
    context.signal,
  );
  if (!r.baseFile) throw new Error("the teacher pass wrote no file");
  const file: TeacherFile = {
    path: r.baseFile.path,
    fresh: true,
    bytes: r.baseFile.bytes,
    meanK: r.baseFile.meanK,
    meanMassKept: 1 - r.baseFile.meanRestMass,
    positions: r.nll.length,
  };
  checkpoint.saveTeacherFacts(name, file);
  context.log(
    "info",
    `teacher, ${label} text: ${file.positions} positions, top ${file.meanK.toFixed(1)} tokens kept ${(100 * file.meanMassKept).toFixed(2)} % of the mass`,
  );
  return file;
}

export default defineRunner("distill", async (params, context) => {
  const s = params.settings;
  const { addon, gpu, llamaCommit } = await loadNative();
  const checkpoint = new DistillCheckpoint(params.checkpoint.path, params.checkpoint.key);
  const teacherText = await teacherFile(
    addon,
    params,
    params.teacherText,
    params.text.path,
    "text",
    checkpoint,
    context,
  );
  const teacherHeldout =
    params.heldout && params.teacherHeldout
      ? await teacherFile(
          addon,
          params,
          params.teacherHeldout,
          params.heldout.path,
          "heldout",
          checkpoint,
          context,
        )
      : null;

  const resumed = checkpoint.resumable();
  const f32Path = context.tempPath("student-f32.gguf");
  if (resumed) {
    context.log(
      "info",
      `resuming from the checkpoint at step ${resumed.step} (${resumed.seconds.toFixed(0)} s in)`,
    );
  } else {
    context.progress(null, "unpacking the student to F32");
    await addon.packModel({
      weightsPath: params.student.path,
      metadataPath: params.student.path,
      outPath: f32Path,
      type: "f32",
    });
  }

  const lossCurve = [...(resumed?.lossCurve ?? [])];
  const heldout: HeldoutPoint[] = [...(resumed?.heldout ?? [])];
  // The screens draw the whole run: what the interrupted runs got to comes first.
  context.metrics({
    train: lossCurve.map((p) => ({ ...p, tokensPerSecond: null })),
    heldout: [...heldout],
  });
  const trainedPath = context.tempPath("trained-f32.gguf");
  const steps = s.tokens !== null ? Math.ceil(s.tokens / s.contextSize) : 0;
  let seconds = resumed?.seconds ?? 0;
  const run = addon.train(
    {
      modelPath: resumed ? checkpoint.studentPath : f32Path,
      outPath: trainedPath,
      teacherPath: teacherText.path,
      ...(teacherHeldout
        ? {
            heldoutTeacherPath: teacherHeldout.path,
            heldoutSequences: s.heldoutChunks,
            evalEvery: s.evalEvery,
          }
        : {}),
      temperature: s.temperature,
      hardWeight: s.alpha,
      nCtx: s.contextSize,
      nUbatch: s.contextSize / s.accumulate,
      // Enough passes over the text for the budget; the step cap or the clock ends the run.
      epochs: 1_000_000,
      ...(steps > 0 ? { maxSteps: steps } : {}),
      ...(s.seconds !== null ? { maxSeconds: s.seconds } : {}),
      lr: s.lr,
      lrMin: s.lrMin,
      warmupSteps: s.warmupSteps,
      seed: s.seed,
      trainTokenEmbedding: s.trainTokenEmbedding,
      ...(s.threads ? { threads: s.threads } : {}),
      checkpointPath: checkpoint.studentPath,
      checkpointEvery: s.checkpointEvery,
      startStep: resumed?.step ?? 0,
      startSeconds: resumed?.seconds ?? 0,
    },
    (p) => {
      const points = trainPoints(p);
      lossCurve.push(...points.map(({ step, loss }) => ({ step, loss })));
      seconds = p.elapsedSeconds;
      const measured = p.heldout && !heldout.some((h) => h.step === p.heldout!.step) ? p.heldout : null;
      if (measured) heldout.push(measured);
      context.metrics({
        totalSteps: p.totalSteps,
        train: points,
        heldout: measured ? [measured] : [],
      });
      if (p.checkpoint) checkpoint.save({ key: checkpoint.key, step: p.step, seconds, lossCurve, heldout });
      const last = heldout.at(-1);
      context.progress(
        p.step / p.totalSteps,
        `step ${p.step}/${p.totalSteps}, loss ${p.loss.toFixed(4)}, ${Math.round(p.tokensPerSecond)} tokens/s` +
          (last
            ? `, held-out KLD ${last.kld.toFixed(4)} ± ${(1.96 * last.kldStdErr).toFixed(4)}, PPL ${heldoutPerplexity(last).toFixed(2)}`
            : ""),
        p.etaSeconds,
      );
    },
  );
  const trained = await runNativeTask(run, context.signal);
  if (trained.cancelled) throw new Error("distillation was cancelled");
  const lateHeldout = trained.heldout.filter((h) => !heldout.some((x) => x.step === h.step));
  heldout.push(...lateHeldout);
  context.metrics({ heldout: lateHeldout });

  context.progress(1, `writing the ${s.storage.toUpperCase()} student`);
  const outPath = context.tempPath("model.gguf");
  await addon.packModel({
    weightsPath: trainedPath,
    metadataPath: params.student.path,
    outPath,
    type: s.storage,
  });
  const facts = await inspectModelFile(outPath, { signal: context.signal });
  const first = heldout[0];
  const last = heldout.at(-1);
  if (first && last)
    context.log(
      "info",
      `held-out KLD to the teacher ${first.kld.toFixed(4)} → ${last.kld.toFixed(4)} ± ${(1.96 * last.kldStdErr).toFixed(4)} (95 %), NLL ${first.nll.toFixed(3)} → ${last.nll.toFixed(3)}`,
    );
  return {
    facts,
    build: llamaBuildInfo(gpu, llamaCommit),
    teacherText,
    teacherHeldout,
    training: {
      steps: trained.steps,
      totalSteps: trained.totalSteps,
      resumedFromStep: resumed?.step ?? 0,
      tokens: trained.tokens,
      seconds: Math.max(seconds, (resumed?.seconds ?? 0) + trained.seconds),
      tokensPerSecond: trained.tokensPerSecond,
      finalLoss: trained.finalLoss,
      lossCurve,
      heldout: heldout.sort((a, b) => a.step - b.step),
      tokenEmbedding: s.trainTokenEmbedding
        ? { rows: trained.tokenEmbeddingRows, rowsChanged: trained.tokenEmbeddingRowsChanged }
        : null,
    },
  };
});
