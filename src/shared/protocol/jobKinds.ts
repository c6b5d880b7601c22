// Every kind of job the queue runs: its parameters (validated before it is queued) and its result.
// A kind's runner lives in src/worker (native work) and is registered under the same name.
import { z } from "zod";
import { modelRecord } from "../domain/model.js";
import { evalJobParams, evalJobResult } from "../domain/eval.js";
import { benchJobParams, benchReport } from "../domain/bench.js";
import { referenceBuildParams, referenceModelResult } from "../domain/referenceModel.js";
import { trainJobParams, trainJobResult } from "../domain/training.js";
import { generateJobParams, generateJobResult } from "../domain/generate.js";
import { llamaBuildJobParams, llamaBuildJobResult } from "../domain/llamaBuild.js";
import {
  imatrixJobParams,
  imatrixJobResult,
  layersJobParams,
  layersJobResult,
  pruneJobParams,
  pruneJobResult,
  quantizeJobParams,
  quantizeJobResult,
} from "../domain/compression.js";

export interface JobKindSpec<P extends z.ZodType = z.ZodType, R extends z.ZodType = z.ZodType> {
  readonly params: P;
  readonly result: R;
  /** One line for the Jobs screen and the CLI. */
  readonly title: string;
}

function jobKind<P extends z.ZodType, R extends z.ZodType>(
  title: string,
  params: P,
  result: R,
): JobKindSpec<P, R> {
  return { title, params, result };
}

export const jobKinds = {
  "models.import": jobKind(
    "Import model",
    z.object({ path: z.string().min(1) }),
    z.object({ model: modelRecord, alreadyPresent: z.boolean() }),
  ),
  /**
   * Diagnostic, not a feature: sleeps with progress and can crash on purpose. Tests use it to prove
   * that a worker crash or a cancel fails only its own job and leaves no temp file behind.
   */
  "debug.sleep": jobKind(
    "Diagnostic sleep",
    z.object({
      seconds: z.number().nonnegative().max(3600),
      /** Die this way halfway through: process.abort(), process.exit(3), or a thrown error. */
      crash: z.enum(["abort", "exit", "throw"]).optional(),
      /** Ignore the cancel signal, like native code that cannot be interrupted: only SIGKILL stops it. */
      ignoreCancel: z.boolean().optional(),
      /** Declared output size, so the queue's free-disk-space check can be exercised. */
      outputBytes: z.number().int().nonnegative().optional(),
    }),
    z.object({ sleptSeconds: z.number(), tempFileWritten: z.boolean() }),
  ),
  /** Perplexity and KL divergence of variants against their base (core/eval, worker/runners/eval.ts). */
  eval: jobKind("Evaluate quality", evalJobParams, evalJobResult),
  /** llama_model_quantize as llama-quantize runs it (worker/runners/quantize.ts). */
  quantize: jobKind("Quantize", quantizeJobParams, quantizeJobResult),
  /** llama-imatrix's importance matrix (worker/runners/imatrix.ts). */
  imatrix: jobKind("Importance matrix", imatrixJobParams, imatrixJobResult),
  /** Per-block importance on calibration text (worker/runners/layers.ts). */
  layers: jobKind("Layer importance", layersJobParams, layersJobResult),
  /** Drops transformer blocks, weights otherwise unchanged (worker/runners/prune.ts). */
  prune: jobKind("Prune layers", pruneJobParams, pruneJobResult),
  /** Speed and memory of one model: load, pp, tg, TTFT, ITL, peak RSS, bandwidth (worker/runners/bench.ts). */
  bench: jobKind("Benchmark speed and memory", benchJobParams, benchReport),
  /** The same prompt through several variants, with their speed (worker/runners/generate.ts). */
  generate: jobKind("Generate side by side", generateJobParams, generateJobResult),
  /** The project's own small trained model, cached in the data dir (worker/runners/referenceModel.ts). */
  "reference.build": jobKind("Build reference model", referenceBuildParams, referenceModelResult),
  /** Trains a model on a text with llama.cpp's optimizer (worker/runners/train.ts). */
  train: jobKind("Train model", trainJobParams, trainJobResult),
  /** llama.cpp compiled for this machine's CPU, and the addon linked to it (worker/runners/llamaBuild.ts). */
  "llama.build": jobKind("Build llama.cpp for this machine", llamaBuildJobParams, llamaBuildJobResult),
} satisfies Record<string, JobKindSpec>;

export type JobKind = keyof typeof jobKinds;
export type JobParams<K extends JobKind> = z.input<(typeof jobKinds)[K]["params"]>;
export type JobResult<K extends JobKind> = z.output<(typeof jobKinds)[K]["result"]>;

export function isJobKind(kind: string): kind is JobKind {
  return Object.hasOwn(jobKinds, kind);
}
