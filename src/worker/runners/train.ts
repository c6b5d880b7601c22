// train, worker half: the model is unpacked to F32 (the optimizer trains F32 tensors only), the text
// becomes next-token windows of its own tokenizer, llama.cpp trains, and the result is packed with
// the input's metadata in the requested storage type. The parent (core/jobs/kinds/train.ts) moves it.
import { readFileSync } from "node:fs";
import { loadNative } from "../native/loadAddon.js";
import { runNativeTask } from "../native/nativeTask.js";
import { nextTokenWindows } from "../../core/reference/tokenWindows.js";
import { defineRunner } from "../Runner.js";
import { trainPoints } from "../native/trainPoints.js";

export default defineRunner("train", async (params, context) => {
  const s = params.settings;
  const { addon, llama } = await loadNative();
  const f32Path = context.tempPath("input-f32.gguf");
  const trainedPath = context.tempPath("trained-f32.gguf");
  const outPath = context.tempPath("model.gguf");
  context.progress(null, "unpacking the model to F32");
  await addon.packModel({
    weightsPath: params.modelPath,
    metadataPath: params.modelPath,
    outPath: f32Path,
    type: "f32",
  });

  context.progress(null, "tokenizing the text");
  const vocab = await llama.loadModel({ modelPath: f32Path, vocabOnly: true });
  const stream = vocab.tokenize(readFileSync(params.textPath, "utf8"));
  const bos = vocab.tokens.bos;
  await vocab.dispose();
  const windows = nextTokenWindows(bos === null ? stream : [bos, ...stream], s.contextSize);
  if (windows.windows === 0)
    throw new Error(`${params.textPath}: fewer than ${s.contextSize + 1} tokens; nothing to train on`);

  const run = addon.train(
    {
      modelPath: f32Path,
      outPath: trainedPath,
      data: windows.data,
      labels: windows.labels,
      nCtx: s.contextSize,
      nUbatch: s.microBatch,
      epochs: s.epochs,
      ...(s.steps ? { maxSteps: s.steps } : {}),
      lr: s.lr,
      lrMin: s.lrMin,
      warmupSteps: s.warmupSteps,
      weightDecay: s.weightDecay,
      seed: s.seed,
      ...(s.threads ? { threads: s.threads } : {}),
      ...(s.trainable ? { trainable: s.trainable } : {}),
    },
    (p) => {
      context.metrics({
        totalSteps: p.totalSteps,
        train: trainPoints(p),
      });
      context.progress(
        p.step / p.totalSteps,
        `step ${p.step}/${p.totalSteps}, loss ${p.loss.toFixed(3)}, ${Math.round(p.tokensPerSecond)} tokens/s`,
        p.etaSeconds,
      );
    },
  );
  const trained = await runNativeTask(run, context.signal);
  if (trained.cancelled) throw new Error("training was cancelled");

  context.progress(1, `writing the ${s.storage.toUpperCase()} model`);
  const packed = await addon.packModel({
    weightsPath: trainedPath,
    metadataPath: f32Path,
    outPath,
    type: s.storage,
  });
  context.log(
    "info",
    `trained ${trained.steps} steps in ${trained.seconds.toFixed(1)} s, final loss ${trained.finalLoss.toFixed(3)}`,
  );
  return {
    outPath,
    textTokens: stream.length,
    steps: trained.steps,
    tokens: trained.tokens,
    seconds: trained.seconds,
    tokensPerSecond: trained.tokensPerSecond,
    firstLoss: trained.stepLoss[0] ?? 0,
    finalLoss: trained.finalLoss,
    sizeBytes: packed.fileBytes,
  };
});
