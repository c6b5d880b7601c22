// Everything that decides the reference model: shapes, tokenizer, data split, training schedule.
// The cache key hashes this recipe with the code version, the llama.cpp build and the text itself,
// so any change to one of them builds a new model instead of reusing a stale one.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import type { ReferenceVariant } from "../../shared/domain/referenceModel.js";
import { llamaVersions } from "../versions.js";
import { sotuPackage, type SotuAddress } from "./sotuCorpus.js";
import { llamaSourceModelsDir } from "./vocabularySource.js";

/** Bump when the code that builds the model changes what it produces. */
export const referenceCodeVersion = 4;

export interface ReferenceRecipe {
  variant: ReferenceVariant;
  name: string;
  tokenizer: { vocabFile: string; pieces: number };
  model: {
    nEmbd: number;
    nFf: number;
    nLayer: number;
    nHead: number;
    nCtx: number;
    ropeFreqBase: number;
    rmsEps: number;
    initStd: number;
    seed: number;
    /** Token embedding and output start as a bigram model of the training tokens (see createModel's bigramTokens). */
    bigramStart: boolean;
    bigramPrior: number;
  };
  /** Addresses are assigned by year: held out for evaluation, held out for calibration, or trained on. */
  split: { modulus: number; evalRemainder: number; calibrationRemainder: number };
  training: {
    nCtx: number;
    nUbatch: number;
    steps: number;
    lr: number;
    lrMin: number;
    warmupSteps: number;
    beta1: number;
    beta2: number;
    weightDecay: number;
    seed: number;
    /** Regex on tensor names the optimizer updates; empty = every tensor llama.cpp trains (all but token_embd). */
    trainable: string;
    /**
     * Clock limit for the optimizer: an idle 2-core machine finishes the steps well inside it (so the
     * model is reproducible), a heavily loaded one stops early with the schedule annealed, keeping the
     * whole build within its 6-minute budget.
     */
    maxSeconds: number;
  };
  heldOut: { windows: number; windowTokens: number };
  storage: "f16";
}

const full: ReferenceRecipe = {
  variant: "full",
  name: "cwb-reference",
  tokenizer: { vocabFile: "ggml-vocab-llama-spm.gguf", pieces: 4096 },
  model: {
    nEmbd: 256,
    nFf: 768,
    nLayer: 4,
    nHead: 4,
    nCtx: 1024,
    ropeFreqBase: 10000,
    rmsEps: 1e-5,
    initStd: 0.02,
    seed: 1,
    bigramStart: true,
    bigramPrior: 4,
  },
  split: { modulus: 20, evalRemainder: 5, calibrationRemainder: 15 },
  training: {
    nCtx: 1024,
    nUbatch: 256,
    steps: 200,
    lr: 1e-3,
    lrMin: 1e-4,
    warmupSteps: 10,
    beta1: 0.9,
    beta2: 0.999,
    weightDecay: 0,
    seed: 1,
    trainable: "",
    maxSeconds: 240,
  },
  heldOut: { windows: 32, windowTokens: 1024 },
  storage: "f16",
};

export function referenceRecipe(variant: ReferenceVariant): ReferenceRecipe {
  if (variant === "full") return full;
  // Same shapes, texts and files; a handful of steps. For checking the pipeline, not the quality.
  return {
    ...full,
    variant: "quick",
    name: "cwb-reference-quick",
    training: { ...full.training, steps: 8, warmupSteps: 2 },
    heldOut: { ...full.heldOut, windows: 4 },
  };
}

/** sha256 of the recipe, the code and llama.cpp versions, the vocabulary file and every address's text. */
export function recipeHash(recipe: ReferenceRecipe, addresses: readonly SotuAddress[]): string {
  const hash = createHash("sha256");
  const versions = llamaVersions();
  const pkg = sotuPackage();
  hash.update(
    JSON.stringify({
      recipe,
      referenceCodeVersion,
      versions,
      text: { name: pkg.name, version: pkg.version },
    }),
  );
  hash.update(readFileSync(path.join(llamaSourceModelsDir(), recipe.tokenizer.vocabFile)));
  for (const address of addresses) {
    hash.update(`\n${address.file}\n`);
    hash.update(address.text);
  }
  return hash.digest("hex").slice(0, 16);
}
