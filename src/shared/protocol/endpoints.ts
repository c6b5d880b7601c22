// The whole protocol: every call and event, grouped by domain. Transports and clients are typed from
// this one object; a startup check (core/rpc) refuses to serve if any call lacks a handler.
import { z } from "zod";
import { defineCall, defineEvent } from "./define.js";
import { job } from "../domain/job.js";
import { lineageStep } from "../domain/lineage.js";
import { trainingMetrics, trainingMetricsUpdate } from "../domain/trainingMetrics.js";
import { modelRecord, modelSummary } from "../domain/model.js";
import { experimentListItem, experimentSummary, sweepRecipe } from "../domain/experiment.js";
import { evalSettings } from "../domain/eval.js";
import { llamaBuildInfo } from "../domain/llamaBuild.js";
import { buildComparison } from "../domain/buildComparison.js";
import { jobStart } from "./jobKinds.js";
import { deviceEntry, deviceProfile } from "../domain/deviceProfile.js";
import { devicePredictionTable } from "../domain/devicePrediction.js";
import { deviceComparison } from "../domain/deviceComparison.js";
import {
  deviceResultsImport,
  deviceResultsImportRequest,
  deviceResultsUploadRequest,
} from "../deviceResults/deviceResultsImport.js";
import { exportRuntimeFiles } from "../domain/exportBundle.js";
import { splitLimit } from "../domain/ggufSplit.js";
import { offeredText } from "../domain/offeredText.js";
import { searchOutcome, searchPlanSummary, searchRequest } from "../domain/searchSession.js";

const id = z.object({ id: z.string().min(1) });

/** Variants on one device: the given models, an experiment's variants, or (neither) the whole library. */
const predictRequest = z.object({
  deviceId: z.string().min(1),
  contextSize: z
    .number()
    .int()
    .min(16)
    .max(1 << 20)
    .default(4096),
  modelIds: z.array(z.string().min(1)).optional(),
  experimentId: z.string().min(1).optional(),
});

export const calls = {
  "app.info": defineCall(
    z.object({}),
    z.object({
      version: z.string(),
      dataDir: z.string(),
      llamaCppRelease: z.string().nullable(),
      nodeLlamaCppVersion: z.string().nullable(),
      transport: z.enum(["ipc", "websocket"]),
    }),
  ),

  /** This machine's memory and GPU, for the "will it fit" estimates (shared/metrics/fit.ts). */
  "app.machine": defineCall(
    z.object({}),
    z.object({
      cpu: z.string(),
      cores: z.number().int(),
      ramBytes: z.number(),
      freeRamBytes: z.number(),
      gpu: z.string().nullable(),
      vramBytes: z.number().nullable(),
      os: z.string(),
    }),
  ),

  /** The llama.cpp builds runs can use (prebuilt, built for this machine), and whether one can be built. */
  "app.llamaBuilds": defineCall(
    z.object({}),
    z.object({ builds: z.array(llamaBuildInfo), cannotBuild: z.string().nullable() }),
  ),
  /** Texts to offer for evaluation or calibration: the library's text sets and the reference model's held-out texts. */
  "texts.list": defineCall(z.object({}), z.object({ texts: z.array(offeredText) })),
  /** Stores a picked or dropped text file as a library text set (size and UTF-8 checked, hashed). */
  "texts.add": defineCall(
    z.object({
      path: z.string().min(1),
      purpose: z.enum(["calibration", "evaluation"]),
    }),
    offeredText,
  ),

  "models.list": defineCall(z.object({}), z.array(modelSummary)),
  "models.get": defineCall(id, modelRecord),
  /** A variant's chain from its original (original first): each step's kind and recipe in words. */
  "models.lineage": defineCall(id, z.array(lineageStep)),
  "models.remove": defineCall(
    id.extend({ deleteFile: z.boolean().default(false) }),
    z.object({ removed: z.boolean(), fileDeleted: z.boolean() }),
  ),

  "jobs.list": defineCall(
    z.object({ limit: z.number().int().positive().max(1000).default(200) }),
    z.array(job),
  ),
  "jobs.get": defineCall(id, job),
  /** Validates params against the kind's schema, queues the job and returns it. */
  "jobs.start": defineCall(jobStart, job),
  "jobs.cancel": defineCall(id, job),
  "jobs.retry": defineCall(id, job),
  /**
   * A training job's series so far (distill, train): train loss per step and held-out figures.
   * Fetch it once, then append the "jobs.metrics" events; empty for other kinds.
   */
  "jobs.metrics": defineCall(id, trainingMetrics),
  "jobs.logs": defineCall(
    id.extend({ tail: z.number().int().positive().max(10000).default(200) }),
    z.array(z.object({ at: z.string(), level: z.enum(["info", "warn", "error"]), message: z.string() })),
  ),

  /** Plans and queues a "layers" job (per-block importance) from a model and a calibration text path. */
  "compress.startLayers": defineCall(
    z.object({
      modelId: z.string().min(1),
      textPath: z.string().min(1),
      contextSize: z
        .number()
        .int()
        .min(16)
        .max(1 << 17)
        .default(256),
      chunks: z.number().int().min(1).default(8),
    }),
    job,
  ),
  /** Queues a "prune" job dropping the N least important blocks found by a finished "layers" job. */
  "compress.startPrune": defineCall(
    z.object({ modelId: z.string().min(1), layersJobId: z.string().min(1), drop: z.number().int().min(1) }),
    job,
  ),

  /** Recipe search (docs/search.md): the groups, cells left to measure and a rough time, before it runs. */
  "search.plan": defineCall(searchRequest, searchPlanSummary),
  /** Queues the "search.sensitivity" job for the cells not cached yet; null when all are cached. */
  "search.start": defineCall(searchRequest, job.nullable()),
  /** Queues the quantization of the mix chosen for this budget (searched provenance recorded). */
  "search.quantize": defineCall(searchRequest.extend({ budget: z.number().int().positive() }), job),
  /** The measured cells so far and, once all are measured, per budget the chosen mix. */
  "search.result": defineCall(
    searchRequest.extend({ budgets: z.array(z.number().int().positive()).min(1) }),
    searchOutcome,
  ),

  /**
   * Plans and queues an "export.bundle" job: the manifest from the library's records, and for a
   * device its profile, prediction and recommended settings (core/export/planExport.ts).
   */
  "export.start": defineCall(
    z.object({
      modelId: z.string().min(1),
      /** The bundle folder, or a file ending in .zip, to create. */
      outPath: z.string().min(1),
      split: splitLimit.nullable().default(null),
      contextLength: z
        .number()
        .int()
        .min(16)
        .max(1 << 20)
        .nullable()
        .default(null),
      deviceId: z.string().min(1).nullable().default(null),
      runtimeFiles: exportRuntimeFiles,
    }),
    job,
  ),

  /** Plans and queues an "eval" job: variants against their base over a text (cached base distributions reused). */
  "eval.start": defineCall(
    z.object({
      baseModelId: z.string().min(1),
      variantModelIds: z.array(z.string().min(1)),
      textPath: z.string().min(1),
      settings: evalSettings.default(evalSettings.parse({})),
    }),
    job,
  ),

  /**
   * Records a results file from a device (llama-bench json/jsonl/csv/md, llama.rn bench()) as runs
   * on that device; rows fitting several variants come back as "needs-choice" until chosen.
   */
  "results.import": defineCall(deviceResultsImportRequest, deviceResultsImport),
  /** results.import for a file's content (a file dropped on a screen); the content is kept in the data folder. */
  "results.importContent": defineCall(deviceResultsUploadRequest, deviceResultsImport),

  "experiments.list": defineCall(z.object({ search: z.string().optional() }), z.array(experimentListItem)),
  "experiments.get": defineCall(id, experimentSummary),
  /** Per variant, its newest benchmarks on the prebuilt binaries and on the build for this machine. */
  "experiments.buildComparison": defineCall(id, buildComparison),
  /** Creates the experiment and starts its pipeline in the serving process; jobs report progress. */
  "experiments.startSweep": defineCall(
    z.object({ modelId: z.string().min(1), recipe: sweepRecipe, name: z.string().optional() }),
    z.object({ experimentId: z.string() }),
  ),
  /**
   * The unfinished (interrupted, failed or cancelled) run of this sweep, which starting it resumes
   * instead of creating a new experiment; null when there is none.
   */
  "experiments.unfinishedSweep": defineCall(
    z.object({ modelId: z.string().min(1), recipe: sweepRecipe }),
    z.object({ experimentId: z.string(), name: z.string(), state: z.string() }).nullable(),
  ),
  /**
   * Runs the same recipe again; finished artifacts are reused, not redone (an unfinished experiment
   * is resumed).
   */
  "experiments.rerun": defineCall(id, z.object({ experimentId: z.string() })),
  /**
   * Queues again, in the serving process, only the steps of an interrupted, failed or cancelled
   * experiment that did not succeed, in the same experiment.
   */
  "experiments.resume": defineCall(id, z.object({ experimentId: z.string(), requeued: z.number().int() })),
  /** Cancels every unfinished job of the experiment (its whole job graph). */
  "experiments.cancel": defineCall(id, z.object({ experimentId: z.string(), cancelled: z.number().int() })),
  /** Deletes the experiment's records; variant files are deleted only with deleteFiles. */
  "experiments.remove": defineCall(
    id.extend({ deleteFiles: z.boolean().default(false) }),
    z.object({ removed: z.boolean(), filesDeleted: z.number().int() }),
  ),
  "experiments.addNote": defineCall(id.extend({ text: z.string().min(1) }), z.object({ noteId: z.number() })),
  "experiments.setTags": defineCall(
    id.extend({ tags: z.array(z.string().min(1)) }),
    z.object({ tags: z.array(z.string()) }),
  ),

  /** Built-in device profiles, then the user's own. */
  "devices.list": defineCall(z.object({}), z.array(deviceEntry)),
  "devices.get": defineCall(id, deviceEntry),
  /** Adds a user profile; copiedFrom names the profile it was copied from. */
  "devices.add": defineCall(
    z.object({ profile: deviceProfile, copiedFrom: z.string().nullable().default(null) }),
    deviceEntry,
  ),
  /** Replaces a user profile (built-ins are refused: copy one instead). */
  "devices.edit": defineCall(id.extend({ profile: deviceProfile }), deviceEntry),
  "devices.remove": defineCall(id, z.object({ removed: z.boolean() })),
  /**
   * Predicted memory fit and generation speed of variants on a device: the given models, an
   * experiment's variants, or (neither) the whole library.
   */
  "devices.predict": defineCall(predictRequest, devicePredictionTable),
  /**
   * Per variant, the speeds measured on the device (imported results) next to the prediction, and the
   * error of a prediction made without the variant's own results (leave-one-out).
   */
  "devices.compare": defineCall(
    predictRequest.extend({
      /** Only the variants with results imported for the device. */
      measuredOnly: z.boolean().default(false),
    }),
    deviceComparison,
  ),
} as const;

export const events = {
  /** Any change of a job's state or progress. */
  "jobs.updated": defineEvent(job),
  /** Training points a running job added since the last such event (only the new ones). */
  "jobs.metrics": defineEvent(trainingMetricsUpdate),
  /** The library changed (import, remove, a new variant). */
  "models.changed": defineEvent(z.object({ id: z.string().nullable() })),
  /** An experiment was created, changed state, or was removed. */
  "experiments.changed": defineEvent(z.object({ id: z.string() })),
  /** A user device profile was added, edited or removed, or results were imported for a device. */
  "devices.changed": defineEvent(z.object({ id: z.string() })),
} as const;

export type Calls = typeof calls;
export type CallName = keyof Calls;
export type Events = typeof events;
export type EventTopic = keyof Events;
