// A sweep: one base model quantized to several types, each variant evaluated against the base and
// benchmarked, all recorded under one experiment. The jobs queue and pipeline (a variant's benchmark
// is queued as soon as it exists; one evaluation job scores every new variant against one cached
// pass of the base), and every result lands in SQLite with its provenance. Finished work — variants,
// importance matrices, evaluations, benchmarks — is found and reused on a re-run.
import path from "node:path";
import { benchMethod, benchSettings, type BenchSettings } from "../../shared/domain/bench.js";
import { sweepRecipe, type SweepRecipe, type SweepRecipeInput } from "../../shared/domain/experiment.js";
import type { GpuSettings } from "../../shared/domain/gpu.js";
import type { Job } from "../../shared/domain/job.js";
import type { ModelRecord } from "../../shared/domain/model.js";
import type { JobKind, JobParams } from "../../shared/protocol/jobKinds.js";
import { findQuantType } from "../../shared/quantTypes.js";
import { CodedError } from "../errors.js";
import { planEvaluation, resolveModel } from "../eval/planEvaluation.js";
import type { JobQueue } from "../jobs/JobQueue.js";
import { planImatrix } from "../quantize/planImatrix.js";
import { planQuantize } from "../quantize/planQuantize.js";
import { storeTextSet } from "../quantize/storeTextSet.js";
import type { EventBus } from "../rpc/eventBus.js";
import { addExperimentModel, insertExperiment, listExperimentModels } from "../store/experiments.js";
import { getModelById } from "../store/models.js";
import type { Db } from "../store/Store.js";
import { findBenchRun, findEvalRun, findImatrix, findQuantizedVariant } from "./reusableResults.js";

export interface SweepHost {
  readonly db: Db;
  readonly dataDir: string;
  readonly jobs: JobQueue;
  readonly events: EventBus;
}

export interface SweepRequest {
  /** Library reference or path of the base model. */
  model: string;
  recipe: SweepRecipeInput;
  name?: string;
  /** Re-run into this existing experiment instead of creating one. */
  experimentId?: string;
}

export type SweepStep = "imatrix" | "quantize" | "eval" | "bench";

export interface SweepStepRecord {
  step: SweepStep;
  label: string;
  /** The job that did it, or null when an earlier result was reused. */
  jobId: string | null;
  state: Job["state"] | "reused";
  error: string | null;
  /** The failed job's error as data (its remedies), when it has one. */
  errorDetail?: Job["errorDetail"];
}

export interface SweepOutcome {
  experimentId: string;
  steps: SweepStepRecord[];
  failed: number;
}

export interface SweepRun {
  experimentId: string;
  /** Resolves when every job of the sweep has ended (never rejects for a failed job). */
  done: Promise<SweepOutcome>;
}

export interface SweepOptions {
  /** Aborting cancels the sweep's queued and running jobs and queues no more. */
  signal?: AbortSignal;
  /** Called when a job of the sweep is queued (the CLI follows its progress). */
  onJob?: (job: Job, step: SweepStep, label: string) => void;
}

function variantLabel(type: string, withImatrix: boolean): string {
  return withImatrix ? `${type}+imatrix` : type;
}

function sweepBenchSettings(recipe: SweepRecipe): BenchSettings {
  return benchSettings.parse({
    promptLengths: [128, 512],
    generateTokens: 64,
    generationPromptTokens: 32,
    reps: recipe.benchReps,
    warmupReps: 1,
    warmLoads: 1,
    threads: recipe.threads,
    ...sweepGpuSettings(recipe),
  });
}

/** The recipe's device settings, passed to every job of the sweep that runs a model. */
function sweepGpuSettings(recipe: SweepRecipe): GpuSettings {
  return {
    gpu: recipe.gpu,
    gpuLayers: recipe.gpuLayers,
    allowSoftwareGpu: recipe.allowSoftwareGpu,
    llamaBuild: recipe.llamaBuild,
  };
}

interface SweepEntry {
  type: string;
  withImatrix: boolean;
}

/**
 * Which variants use the importance matrix: entries written "TYPE+imatrix", types that cannot do
 * without one, and — when an imatrix is given and no entry says "+imatrix" — every type.
 */
export function sweepEntries(recipe: Pick<SweepRecipe, "types" | "imatrix">): SweepEntry[] {
  const parsed = recipe.types.map((entry) => {
    const suffixed = /\+imatrix$/i.test(entry);
    const name = suffixed ? entry.replace(/\+imatrix$/i, "") : entry;
    const type = findQuantType(name);
    if (!type)
      throw new CodedError("UNKNOWN_QUANT_TYPE", `unknown quantization type "${name}"`, {
        remedies: ["list-quant-types"],
      });
    return { type: type.name, suffixed, needs: type.needsImatrix };
  });
  const anySuffix = parsed.some((p) => p.suffixed);
  const entries = parsed.map((p) => ({
    type: p.type,
    withImatrix: p.suffixed || p.needs || (recipe.imatrix !== "none" && !anySuffix),
  }));
  const missing = entries.filter((e) => e.withImatrix).map((e) => e.type);
  if (recipe.imatrix === "none" && missing.length > 0) {
    throw new CodedError("IMATRIX_REQUIRED", `${missing.join(", ")} need an importance matrix`, {
      remedies: ["provide-imatrix"],
    });
  }
  return entries;
}

/** Validates the request and creates (or reopens) the experiment; the work continues in `done`. */
export async function startSweep(
  host: SweepHost,
  request: SweepRequest,
  options: SweepOptions = {},
): Promise<SweepRun> {
  const recipe = sweepRecipe.parse(request.recipe);
  const entries = sweepEntries(recipe);
  if (recipe.imatrix === "auto" && !recipe.calibrationText)
    throw new CodedError(
      "CALIBRATION_TEXT_REQUIRED",
      "computing the importance matrix needs a calibration text",
      { remedies: ["provide-calibration-text"] },
    );
  const base = await resolveModel(host.db, request.model);

  const experimentId =
    request.experimentId ??
    insertExperiment(host.db, {
      name:
        request.name ??
        `${base.metadata.name ?? path.basename(base.path)} sweep (${recipe.types.join(", ")})`,
      kind: "sweep",
      recipe,
      baseModelId: base.id,
    }).id;
  addExperimentModel(host.db, experimentId, { modelId: base.id, label: "base", position: 0 });
  host.events.emit("experiments.changed", { id: experimentId });
  const done = new SweepPipeline(host, experimentId, base, recipe, entries, options).run();
  return { experimentId, done };
}

class SweepPipeline {
  readonly #steps: SweepStepRecord[] = [];
  readonly #jobIds = new Set<string>();
  readonly #pending: Promise<void>[] = [];

  constructor(
    readonly host: SweepHost,
    readonly experimentId: string,
    readonly base: ModelRecord,
    readonly recipe: SweepRecipe,
    readonly entries: readonly SweepEntry[],
    readonly options: SweepOptions,
  ) {
    options.signal?.addEventListener("abort", () => void this.#cancelAll(), { once: true });
  }

  async run(): Promise<SweepOutcome> {
    const benchSettingsUsed = sweepBenchSettings(this.recipe);
    if (this.recipe.bench) this.#bench(this.base, "base", benchSettingsUsed);
    // undefined: wanted but could not be made, so the variants that need it are skipped.
    const imatrixPath = this.entries.some((e) => e.withImatrix) ? await this.#imatrix() : null;

    const variants: ModelRecord[] = [];
    let position = listExperimentModels(this.host.db, this.experimentId).length;
    for (const entry of this.entries) {
      if (this.#aborted) break;
      const imatrix = entry.withImatrix ? imatrixPath : null;
      if (imatrix === undefined) continue;
      const label = variantLabel(entry.type, entry.withImatrix);
      const variant = await this.#quantize(entry.type, imatrix, label);
      if (!variant) continue;
      addExperimentModel(this.host.db, this.experimentId, {
        modelId: variant.id,
        label,
        position: position++,
      });
      this.host.events.emit("experiments.changed", { id: this.experimentId });
      variants.push(variant);
      if (this.recipe.bench) this.#bench(variant, label, benchSettingsUsed);
    }
    if (this.recipe.evalText && variants.length > 0 && !this.#aborted) await this.#evaluate(variants);
    await Promise.all(this.#pending);
    this.host.events.emit("experiments.changed", { id: this.experimentId });
    return {
      experimentId: this.experimentId,
      steps: this.#steps,
      failed: this.#steps.filter(
        (s) => s.state === "failed" || s.state === "cancelled" || s.state === "interrupted",
      ).length,
    };
  }

  get #aborted(): boolean {
    return this.options.signal?.aborted ?? false;
  }

  /** The imatrix path to quantize with: null for none, undefined when it could not be made. */
  async #imatrix(): Promise<string | null | undefined> {
    const choice = this.recipe.imatrix;
    if (choice === "none") return null;
    if (typeof choice === "object") return path.resolve(choice.path);
    const { db, dataDir } = this.host;
    const { textSet } = await storeTextSet(db, dataDir, this.recipe.calibrationText!, "calibration");
    const settings = { contextSize: 512, chunks: null };
    const existing = findImatrix(db, this.base.id, textSet.id, settings);
    if (existing) {
      this.#steps.push({ step: "imatrix", label: "imatrix", jobId: null, state: "reused", error: null });
      return existing.path;
    }
    const params = await planImatrix(db, dataDir, {
      model: this.base.id,
      text: textSet.path,
      settings: { ...settings, threads: this.recipe.threads, ...sweepGpuSettings(this.recipe) },
    });
    const job = await this.#runJob("imatrix", "imatrix", "imatrix", params);
    return job.state === "succeeded" ? params.outPath : undefined;
  }

  async #quantize(type: string, imatrix: string | null, label: string): Promise<ModelRecord | undefined> {
    const { db, dataDir } = this.host;
    const plan = await planQuantize(db, dataDir, {
      model: this.base.id,
      type,
      imatrix,
      tensorTypes: this.recipe.tensorTypes,
      allowRequantize: this.recipe.allowRequantize,
      threads: this.recipe.threads,
    });
    const existing = findQuantizedVariant(db, this.base.id, plan.recipe);
    if (existing) {
      this.#steps.push({ step: "quantize", label, jobId: null, state: "reused", error: null });
      return existing;
    }
    const job = await this.#runJob("quantize", label, "quantize", plan);
    const result = job.result as { model?: { id: string } | null } | null;
    return job.state === "succeeded" && result?.model ? getModelById(db, result.model.id) : undefined;
  }

  /** Queued now, awaited at the end: benchmarks pipeline behind the remaining quantize jobs. */
  #bench(model: ModelRecord, label: string, settings: BenchSettings): void {
    const key = {
      method: benchMethod,
      promptLengths: settings.promptLengths,
      generateTokens: settings.generateTokens,
      reps: settings.reps,
      threads: settings.threads,
      // Another device is another measurement; a layer count is compared as resolved by the run.
      gpu: settings.gpu,
      allowSoftwareGpu: settings.allowSoftwareGpu,
      llamaBuild: settings.llamaBuild,
      ...(typeof settings.gpuLayers === "number" ? { gpuLayers: settings.gpuLayers } : {}),
    };
    if (findBenchRun(this.host.db, model.id, key)) {
      this.#steps.push({ step: "bench", label, jobId: null, state: "reused", error: null });
      return;
    }
    this.#pending.push(
      this.#runJob("bench", label, "bench", {
        model: { modelId: model.id, path: model.path },
        settings,
      }).then(() => undefined),
    );
  }

  async #evaluate(variants: ModelRecord[]): Promise<void> {
    const { db, dataDir } = this.host;
    const { textSet } = await storeTextSet(db, dataDir, this.recipe.evalText!, "evaluation");
    const settings = { contextSize: this.recipe.evalContextSize, chunks: this.recipe.evalChunks };
    const todo = variants.filter((v) => !findEvalRun(db, v.id, this.base.id, textSet.id, settings));
    for (const v of variants) {
      if (!todo.includes(v))
        this.#steps.push({ step: "eval", label: v.fileName, jobId: null, state: "reused", error: null });
    }
    if (todo.length === 0) return;
    const params = await planEvaluation(db, {
      base: this.base.id,
      variants: todo.map((v) => v.id),
      textPath: textSet.path,
      settings: { ...settings, threads: this.recipe.threads, ...sweepGpuSettings(this.recipe) },
    });
    await this.#runJob("eval", `${todo.length} variant(s)`, "eval", params);
  }

  async #runJob<K extends JobKind>(
    step: SweepStep,
    label: string,
    kind: K,
    params: JobParams<K>,
  ): Promise<Job> {
    if (this.#aborted) {
      this.#steps.push({ step, label, jobId: null, state: "cancelled", error: "sweep cancelled" });
      return { state: "cancelled" } as Job;
    }
    const queued = this.host.jobs.enqueue(kind, params, { experimentId: this.experimentId });
    this.#jobIds.add(queued.id);
    this.options.onJob?.(queued, step, label);
    const job = await this.host.jobs.waitFor(queued.id);
    this.#steps.push({
      step,
      label,
      jobId: job.id,
      state: job.state,
      error: job.error,
      errorDetail: job.errorDetail,
    });
    this.host.events.emit("experiments.changed", { id: this.experimentId });
    return job;
  }

  async #cancelAll(): Promise<void> {
    await Promise.all(
      [...this.#jobIds].map((id) => this.host.jobs.cancel(id, "sweep cancelled").catch(() => undefined)),
    );
  }
}
