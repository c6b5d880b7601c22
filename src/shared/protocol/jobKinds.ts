// Every kind of job the queue runs, declared once: its parameters (validated before it is queued),
// the value its worker returns (validated where it crosses into the parent), its result, and its
// title. The worker half (src/worker/runners) and the parent half (src/core/jobs/kinds) are both
// typed from here; test/jobs/jobKindContract.test.ts checks every kind has both.
import { randomModelParams, randomModelResult } from "../domain/randomModel.js";
import { z } from "zod";
import { modelFileFacts, modelRecord } from "../domain/model.js";
import { evalJobParams, evalJobResult, evaluationOutput } from "../domain/eval.js";
import { benchJobParams, benchMeasurement, benchReport } from "../domain/bench.js";
import { referenceBuildParams, referenceModelResult } from "../domain/referenceModel.js";
import { trainJobParams, trainJobResult } from "../domain/training.js";
import { distillJobParams, distillJobResult, distillWorkerValue } from "../domain/distill.js";
import { generateJobParams, generateJobResult } from "../domain/generate.js";
import { distillDataJobParams, distillDataJobResult, distillDataWorkerValue } from "../domain/distillData.js";
import { speculateJobParams, speculateMeasurement, speculateReport } from "../domain/speculate.js";
import { llamaBuildJobParams, llamaBuildJobResult } from "../domain/llamaBuild.js";
import {
  searchSensitivityParams,
  searchSensitivityResult,
  searchSensitivityValue,
} from "../domain/searchSensitivity.js";
import {
  exportBundleParams,
  exportBundleResult,
  exportBundleValue,
  exportVerifyParams,
  exportVerifyResult,
} from "../domain/exportBundle.js";
import {
  imatrixJobParams,
  imatrixJobResult,
  imatrixWorkerValue,
  layersJobParams,
  layersJobResult,
  layersWorkerValue,
  pruneJobParams,
  pruneJobResult,
  pruneWorkerValue,
  quantizeJobParams,
  quantizeJobResult,
  quantizeWorkerValue,
} from "../domain/compression.js";
import {
  channelsJobParams,
  channelsJobResult,
  pruneWidthJobParams,
  pruneWidthJobResult,
  pruneWidthWorkerValue,
} from "../domain/widthPruning.js";

export interface JobKindSpec<
  P extends z.ZodType = z.ZodType,
  V extends z.ZodType = z.ZodType,
  R extends z.ZodType = z.ZodType,
> {
  /** One line for the Jobs screen and the CLI. */
  readonly title: string;
  readonly params: P;
  /**
   * What the worker's runner returns. The parent's host (JobKindHost.complete) turns it into the
   * result; a kind whose host has no complete() declares its result here, the value is the result.
   */
  readonly value: V;
  readonly result: R;
}

function jobKind<P extends z.ZodType, V extends z.ZodType, R extends z.ZodType>(
  spec: JobKindSpec<P, V, R>,
): JobKindSpec<P, V, R> {
  return spec;
}

const debugSleepResult = z.object({ sleptSeconds: z.number(), tempFileWritten: z.boolean() });

export const jobKinds = {
  "models.import": jobKind({
    title: "Import model",
    params: z.object({ path: z.string().min(1) }),
    value: modelFileFacts,
    result: z.object({ model: modelRecord, alreadyPresent: z.boolean() }),
  }),
  /**
   * Diagnostic, not a feature: sleeps with progress and can crash on purpose. Tests use it to prove
   * that a worker crash or a cancel fails only its own job and leaves no temp file behind.
   */
  "debug.sleep": jobKind({
    title: "Diagnostic sleep",
    params: z.object({
      seconds: z.number().nonnegative().max(3600),
      /** Die this way halfway through: process.abort(), process.exit(3), or a thrown error. */
      crash: z.enum(["abort", "exit", "throw"]).optional(),
      /** Ignore the cancel signal, like native code that cannot be interrupted: only SIGKILL stops it. */
      ignoreCancel: z.boolean().optional(),
      /** Declared output size, so the queue's free-disk-space check can be exercised. */
      outputBytes: z.number().int().nonnegative().optional(),
      /** Report a made-up training point per tick (a held-out one every 4th), to exercise the metrics stream. */
      trainingPoints: z.boolean().optional(),
    }),
    value: debugSleepResult,
    result: debugSleepResult,
  }),
  /** Perplexity and KL divergence of variants against their base (core/eval, worker/runners/eval.ts). */
  eval: jobKind({
    title: "Evaluate quality",
    params: evalJobParams,
    value: evaluationOutput,
    result: evalJobResult,
  }),
  /** llama_model_quantize as llama-quantize runs it (worker/runners/quantize.ts). */
  quantize: jobKind({
    title: "Quantize",
    params: quantizeJobParams,
    value: quantizeWorkerValue,
    result: quantizeJobResult,
  }),
  /** llama-imatrix's importance matrix (worker/runners/imatrix.ts). */
  imatrix: jobKind({
    title: "Importance matrix",
    params: imatrixJobParams,
    value: imatrixWorkerValue,
    result: imatrixJobResult,
  }),
  /** Recipe search: KLD of each (tensor group, type) against the base (worker/runners/searchSensitivity.ts). */
  "search.sensitivity": jobKind({
    title: "Recipe search: sensitivity",
    params: searchSensitivityParams,
    value: searchSensitivityValue,
    result: searchSensitivityResult,
  }),
  /** Per-block importance on calibration text (worker/runners/layers.ts). */
  layers: jobKind({
    title: "Layer importance",
    params: layersJobParams,
    value: layersWorkerValue,
    result: layersJobResult,
  }),
  /** Drops transformer blocks, weights otherwise unchanged (worker/runners/prune.ts). */
  prune: jobKind({
    title: "Prune layers",
    params: pruneJobParams,
    value: pruneWorkerValue,
    result: pruneJobResult,
  }),
  /** Per FFN channel and per head importance on calibration text (worker/runners/channels.ts). */
  channels: jobKind({
    title: "Channel and head importance",
    params: channelsJobParams,
    value: channelsJobResult,
    result: channelsJobResult,
  }),
  /** Removes the least important FFN channels and KV groups (worker/runners/pruneWidth.ts). */
  "prune.width": jobKind({
    title: "Prune width",
    params: pruneWidthJobParams,
    value: pruneWidthWorkerValue,
    result: pruneWidthJobResult,
  }),
  /** Speed and memory of one model: load, pp, tg, TTFT, ITL, peak RSS, bandwidth (worker/runners/bench.ts). */
  bench: jobKind({
    title: "Benchmark speed and memory",
    params: benchJobParams,
    value: benchMeasurement,
    result: benchReport,
  }),
  /** The same prompt through several variants, with their speed (worker/runners/generate.ts). */
  generate: jobKind({
    title: "Generate side by side",
    params: generateJobParams,
    value: generateJobResult,
    result: generateJobResult,
  }),
  /** A draft model speeding up a target by speculative decoding (worker/runners/speculate.ts). */
  speculate: jobKind({
    title: "Speculative decoding",
    params: speculateJobParams,
    value: speculateMeasurement,
    result: speculateReport,
  }),
  /** The project's own small trained model, cached in the data dir (worker/runners/referenceModel.ts). */
  "reference.build": jobKind({
    title: "Build reference model",
    params: referenceBuildParams,
    value: referenceModelResult,
    result: referenceModelResult,
  }),
  /** A random-weight model of a real shape, for speed only (worker/runners/modelsRandom.ts). */
  "models.random": jobKind({
    title: "Make random-weight model",
    params: randomModelParams,
    value: randomModelResult,
    result: randomModelResult,
  }),
  /** Trains a model on a text with llama.cpp's optimizer (worker/runners/train.ts). */
  train: jobKind({
    title: "Train model",
    params: trainJobParams,
    value: trainJobResult,
    result: trainJobResult,
  }),
  /** A student trained on a teacher's soft targets (worker/runners/distill.ts, core/jobs/kinds/distill.ts). */
  distill: jobKind({
    title: "Distill model",
    params: distillJobParams,
    value: distillWorkerValue,
    result: distillJobResult,
  }),
  /** A teacher's continuations of prompts, sequence-level distillation's data (worker/runners/distillData.ts). */
  "distill.data": jobKind({
    title: "Generate distillation data",
    params: distillDataJobParams,
    value: distillDataWorkerValue,
    result: distillDataJobResult,
  }),
  /** llama.cpp compiled for this machine's CPU, and the addon linked to it (worker/runners/llamaBuild.ts). */
  "llama.build": jobKind({
    title: "Build llama.cpp for this machine",
    params: llamaBuildJobParams,
    value: llamaBuildJobResult,
    result: llamaBuildJobResult,
  }),
  /** A model with its manifest, README, device benchmark script and runtime files (core/export, worker/runners/exportBundle.ts). */
  "export.bundle": jobKind({
    title: "Export bundle",
    params: exportBundleParams,
    value: exportBundleValue,
    result: exportBundleResult,
  }),
  /** Checks an export bundle: checksums, manifest, and that llama.cpp loads the model (worker/runners/exportVerify.ts). */
  "export.verify": jobKind({
    title: "Verify export bundle",
    params: exportVerifyParams,
    value: exportVerifyResult,
    result: exportVerifyResult,
  }),
} satisfies Record<string, JobKindSpec>;

export type JobKind = keyof typeof jobKinds;
/** What a caller passes when queueing (defaults not yet applied). */
export type JobParams<K extends JobKind> = z.input<(typeof jobKinds)[K]["params"]>;
export type JobResult<K extends JobKind> = z.output<(typeof jobKinds)[K]["result"]>;

/** A request to queue a job: the kind decides what the params must be. */
export type JobStart = { [K in JobKind]: { kind: K; params: JobParams<K> } }[JobKind];

const jobStartShape = z.object({ kind: z.string(), params: z.unknown() });

/**
 * jobs.start's input: typed by kind for callers (wrong params do not compile). At run time only its
 * shape is checked here; the queue validates the params against the kind's schema, in words that
 * name the kind (and an unknown kind as such).
 */
export const jobStart = z.custom<JobStart>((value) => jobStartShape.safeParse(value).success, {
  message: "expected { kind: string, params: object }",
});

export function isJobKind(kind: string): kind is JobKind {
  return Object.hasOwn(jobKinds, kind);
}

/** "path: message; ..." for a zod error, as the queue and the protocol word them. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((i) => `${i.path.length > 0 ? i.path.join(".") : "(root)"}: ${i.message}`)
    .join("; ");
}

/**
 * Checks a worker's value where it crosses into the parent: the parsed value, or an error naming the
 * kind when the runner returned something its contract does not declare.
 */
export function parseWorkerValue(
  kind: JobKind,
  value: unknown,
): { ok: true; value: unknown } | { ok: false; error: string } {
  const parsed = jobKinds[kind].value.safeParse(value);
  if (parsed.success) return { ok: true, value: parsed.data };
  return {
    ok: false,
    error: `the ${kind} worker returned a value its contract (shared/protocol/jobKinds.ts) does not allow: ${describeIssues(parsed.error)}`,
  };
}
