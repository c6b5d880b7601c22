// A sweep: one base model quantized to several types, each variant evaluated against the base and
// benchmarked, all recorded under one experiment. The sweep is planned at its start as one job graph
// (core/jobs/JobGraph.ts), written to SQLite in one transaction: the importance matrix, a quantize per
// variant, a benchmark per model (a variant's waits for its quantize), and one evaluation scoring
// every variant against one cached pass of the base (it waits for the quantize steps). What a step
// needs from an earlier one is filled in when it starts (sweepSteps.ts). Finished work — variants,
// importance matrices, evaluations, benchmarks, speculative runs (planSweepSpeculate.ts) — is found
// and reused at planning; an unfinished sweep of the same model and recipe (interrupted, failed or
// cancelled) is resumed instead of started anew.
import path from "node:path";
import { benchMethod, benchSettings, type BenchSettings } from "../../shared/domain/bench.js";
import {
  chainLabels,
  sweepRecipe,
  type SweepRecipe,
  type SweepRecipeInput,
} from "../../shared/domain/experiment.js";
import { interleavedBenchSteps, type BenchTarget } from "./interleavedBenchSteps.js";
import type { GpuSettings } from "../../shared/domain/gpu.js";
import type { Job } from "../../shared/domain/job.js";
import type { ModelRecord } from "../../shared/domain/model.js";
import { findQuantType } from "../../shared/quantTypes.js";
import { CodedError } from "../errors.js";
import { resolveModel } from "../eval/planEvaluation.js";
import { isResumable, type GraphNode } from "../jobs/JobGraph.js";
import { planImatrix } from "../quantize/planImatrix.js";
import { planQuantize } from "../quantize/planQuantize.js";
import { storeTextSet } from "../quantize/storeTextSet.js";
import {
  addExperimentModel,
  getExperiment,
  insertExperiment,
  listExperimentModels,
  listExperiments,
} from "../store/experiments.js";
import { listExperimentJobRecords } from "../store/jobs.js";
import type { Db } from "../store/Store.js";
import {
  followGraph,
  resumeExperiment,
  stateOfExperiment,
  type GraphOutcome,
  type GraphRun,
} from "./experimentGraph.js";
import { findBenchRun, findEvalRun, findImatrix } from "./reusableResults.js";
import { planSweepChain } from "./planSweepChain.js";
import { planSweepSpeculate } from "./planSweepSpeculate.js";
import {
  planVariant,
  variantLabel,
  type SweepHost,
  type SweepPlanning,
  type SweepStep,
  type SweepStepRecord,
} from "./sweepPlanning.js";
import type { SweepEvalInput } from "./sweepSteps.js";

export type { SweepHost, SweepStep, SweepStepRecord };

export interface SweepRequest {
  /** Library reference or path of the base model. */
  model: string;
  recipe: SweepRecipeInput;
  name?: string;
  /**
   * Re-run into this existing experiment instead of creating one (resumed when unfinished). Without
   * it an unfinished sweep of the same model and recipe is resumed, when there is one.
   */
  experimentId?: string;
}

export interface SweepOutcome extends GraphOutcome {
  steps: SweepStepRecord[];
}

export interface SweepRun extends GraphRun {
  /** Resolves when every job of the sweep has ended (never rejects for a failed job). */
  done: Promise<SweepOutcome>;
  /** True when an unfinished run of this sweep was resumed rather than a new one planned. */
  resumed: boolean;
}

export interface SweepOptions {
  /** Aborting cancels the sweep's queued and running jobs. */
  signal?: AbortSignal;
  /** Called when a job of the sweep is queued (the CLI follows its progress). */
  onJob?: (job: Job) => void;
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

/** An unfinished (interrupted, failed or cancelled) sweep of this base model with this recipe. */
export function findUnfinishedSweep(db: Db, baseModelId: string, recipe: SweepRecipe): string | undefined {
  // Both sides through the schema, so a recipe stored before a field was added (it takes the
  // field's default) still matches the same sweep asked for today.
  const normalized = (value: unknown): string | null => {
    const parsed = sweepRecipe.safeParse(value);
    return parsed.success ? JSON.stringify(parsed.data) : null;
  };
  const wanted = normalized(recipe);
  return listExperiments(db).find(
    (e) =>
      e.kind === "sweep" &&
      e.baseModelId === baseModelId &&
      normalized(e.recipe) === wanted &&
      listExperimentJobRecords(db, e.id).some((r) => r.stepKey !== null) &&
      isResumable(stateOfExperiment(db, e.id)),
  )?.id;
}

/**
 * Validates the request, then resumes the unfinished run of this sweep or creates (or reopens) the
 * experiment and writes its plan as one job graph; the work continues in `done`.
 */
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
  if (recipe.distill && !recipe.prune)
    throw new CodedError(
      "BAD_DISTILL_SETTINGS",
      "a sweep heals a pruned model: distillation needs a prune step in the recipe",
    );
  const base = await resolveModel(host.db, request.model);

  const unfinished = request.experimentId
    ? getExperiment(host.db, request.experimentId) &&
      listExperimentJobRecords(host.db, request.experimentId).some((r) => r.stepKey !== null) &&
      isResumable(stateOfExperiment(host.db, request.experimentId))
      ? request.experimentId
      : undefined
    : findUnfinishedSweep(host.db, base.id, recipe);
  if (unfinished) {
    const run = resumeExperiment(host, unfinished, options);
    return { ...run, done: run.done as Promise<SweepOutcome>, resumed: true };
  }

  const experimentId =
    request.experimentId ??
    insertExperiment(host.db, {
      name:
        request.name ??
        `${base.metadata.name ?? path.basename(base.path)} sweep (${recipe.types.join(", ")})${chainName(recipe)}`,
      kind: "sweep",
      recipe,
      baseModelId: base.id,
    }).id;
  addExperimentModel(host.db, experimentId, { modelId: base.id, label: "base", position: 0 });
  const plan = await planSweep(host, experimentId, base, recipe, entries);
  // One transaction: the whole plan is in the database before anything runs.
  const jobs = host.jobs.enqueueGraph(experimentId, plan.nodes);
  host.events.emit("experiments.changed", { id: experimentId });
  const run = followGraph(host, experimentId, jobs, plan.reused, options);
  return { ...run, done: run.done as Promise<SweepOutcome>, resumed: false };
}

/** " · pruned-1 → healed" for a sweep with a chain. */
function chainName(recipe: SweepRecipe): string {
  if (!recipe.prune) return "";
  const labels = chainLabels(recipe.prune);
  return ` · ${labels.pruned}${recipe.distill ? ` → ${labels.healed}` : ""}`;
}

interface SweepPlan {
  nodes: GraphNode[];
  reused: SweepStepRecord[];
}

/** The sweep's steps, finished results reused: the nodes to queue and the steps reused. */
async function planSweep(
  host: SweepHost,
  experimentId: string,
  base: ModelRecord,
  recipe: SweepRecipe,
  entries: readonly SweepEntry[],
): Promise<SweepPlan> {
  const { db, dataDir } = host;
  const benchSettingsUsed = sweepBenchSettings(recipe);
  // Benchmarks wait until everything else is planned (interleavedBenchSteps.ts).
  const benchTargets: BenchTarget[] = [];
  const planning: SweepPlanning = {
    host,
    experimentId,
    recipe,
    nodes: [],
    reused: [],
    existing: [],
    madeSteps: [],
    variants: [],
    position: listExperimentModels(db, experimentId).length,
    reuse(step, label) {
      this.reused.push({ step, label, jobId: null, state: "reused", error: null });
    },
    benchExisting(model, label) {
      if (!recipe.bench) return;
      if (findBenchRun(db, model.id, benchKey(benchSettingsUsed)) !== undefined) this.reuse("bench", label);
      else benchTargets.push({ label, model: { modelId: model.id, path: model.path }, quantizeStep: null });
    },
    benchMade(quantizeStep, label) {
      if (recipe.bench) benchTargets.push({ label, model: null, quantizeStep });
    },
  };
  planning.benchExisting(base, "base");

  // The importance matrix: a file, one made before (reused), or a step of this graph.
  let imatrixPath: string | null = null;
  let imatrixStep: string | null = null;
  if (entries.some((e) => e.withImatrix) && recipe.imatrix !== "none") {
    if (typeof recipe.imatrix === "object") imatrixPath = path.resolve(recipe.imatrix.path);
    else {
      const { textSet } = await storeTextSet(db, dataDir, recipe.calibrationText!, "calibration");
      const settings = { contextSize: 512, chunks: null };
      const existing = findImatrix(db, base.id, textSet.id, settings);
      if (existing) {
        planning.reuse("imatrix", "imatrix");
        imatrixPath = existing.path;
      } else {
        imatrixStep = "imatrix";
        planning.nodes.push({
          key: imatrixStep,
          kind: "imatrix",
          params: await planImatrix(db, dataDir, {
            model: base.id,
            text: textSet.path,
            settings: { ...settings, threads: recipe.threads, ...sweepGpuSettings(recipe) },
          }),
        });
      }
    }
  }

  for (const entry of entries) {
    const fromStep = entry.withImatrix ? imatrixStep : null;
    const planned = await planQuantize(db, dataDir, {
      model: base.id,
      type: entry.type,
      // Planned without the matrix its step has yet to make; the step's hook adds it.
      imatrix: entry.withImatrix && !fromStep ? imatrixPath : null,
      tensorTypes: recipe.tensorTypes,
      allowRequantize: recipe.allowRequantize,
      threads: recipe.threads,
      dryRun: Boolean(fromStep), // no output path, no "needs an imatrix" refusal yet
    });
    await planVariant(planning, base, planned, variantLabel(entry.type, entry.withImatrix), fromStep);
  }
  if (recipe.prune)
    await planSweepChain(planning, base, recipe.prune, [...new Set(entries.map((e) => e.type))]);
  if (recipe.speculate) await planSweepSpeculate(planning, base, recipe.speculate);

  if (recipe.evalText && (planning.existing.length > 0 || planning.madeSteps.length > 0)) {
    const { textSet } = await storeTextSet(db, dataDir, recipe.evalText, "evaluation");
    const settings = { contextSize: recipe.evalContextSize, chunks: recipe.evalChunks };
    const todo = planning.existing.filter((v) => {
      const found = findEvalRun(db, v.id, base.id, textSet.id, settings) !== undefined;
      if (found) planning.reuse("eval", v.fileName);
      return !found;
    });
    if (todo.length > 0 || planning.madeSteps.length > 0) {
      const evalInput: SweepEvalInput = {
        baseModelId: base.id,
        variantIds: todo.map((v) => v.id),
        textPath: textSet.path,
        settings: { ...settings, threads: recipe.threads, ...sweepGpuSettings(recipe) },
      };
      planning.nodes.push({
        key: "eval",
        kind: "eval",
        hook: { name: "sweep.eval", input: evalInput },
        dependsOn: planning.madeSteps,
      });
    }
  }
  // Benchmarks are planned last, in interleaved rounds (interleavedBenchSteps.ts).
  planning.nodes.push(
    ...interleavedBenchSteps(benchTargets, benchSettingsUsed, recipe.benchRounds, planning.nodes),
  );
  return { nodes: planning.nodes, reused: planning.reused };
}

/** The settings a benchmark is reused by. */
function benchKey(settings: BenchSettings): Record<string, unknown> {
  return {
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
}
