// The sweep's step hooks (core/jobs/JobGraph.ts): what a sweep step cannot know when the sweep is
// planned is built when the step starts, from the results of the steps it waited for.
//  - sweep.quantize: the planned quantize, given the importance matrix its "imatrix" step made (when
//    it waits for one) and a free output path; when it succeeds the variant joins the experiment
//    under its label, at its planned position.
//  - sweep.bench: one round of a model's benchmark: the model planned, or the one its quantize step
//    made; it runs even when other steps failed.
//  - sweep.eval: one evaluation of every variant that exists (reused ones and those its quantize,
//    prune and distill steps made; it runs even when some of them failed), planned at start so a
//    base cache made meanwhile is used.
//  - sweep.chainModel: a chain's prune or distill step (its params planned, or for "the N least
//    important blocks" built by distill.prune once ranked); the model it made joins the experiment.
//  - sweep.quantizeOf: a quantize of the model a chain step made, planned when that model exists.
//  - sweep.speculate: speculative decoding of the target with one draft, each the model planned or
//    the one its quantize step made.
import { existsSync } from "node:fs";
import path from "node:path";
import type { BenchSettings } from "../../shared/domain/bench.js";
import type {
  ImatrixJobResult,
  QuantizeJobParams,
  QuantizeJobResult,
} from "../../shared/domain/compression.js";
import type { EvalSettingsInput } from "../../shared/domain/eval.js";
import type { ModelRecord } from "../../shared/domain/model.js";
import type { SpeculateSettings } from "../../shared/domain/speculate.js";
import { distillStepHooks, studentFromPrune, type DistillPruneInput } from "../distill/distillSteps.js";
import type { DistillJobParams } from "../../shared/domain/distill.js";
import { planEvaluation } from "../eval/planEvaluation.js";
import type { DependencyOutcome, StepHookRegistry, StepHooks, StepStart } from "../jobs/JobGraph.js";
import { freePath } from "../quantize/outputPath.js";
import { planQuantize, type QuantizeRequest } from "../quantize/planQuantize.js";
import { addExperimentModel } from "../store/experiments.js";

export interface SweepQuantizeInput {
  /** The quantize as planned; its importance matrix comes from the "imatrix" step when `imatrixStep`. */
  plan: QuantizeJobParams;
  imatrixStep: string | null;
  label: string;
  position: number;
}

export interface SweepBenchInput {
  settings: BenchSettings;
  /** The quantize step whose model it benchmarks; null for a model that existed at planning. */
  quantizeStep: string | null;
  /** The model to benchmark when it existed at planning (the base, a reused variant). */
  model?: { modelId: string; path: string } | null;
}

export interface SweepEvalInput {
  baseModelId: string;
  /** Variants that existed when the sweep was planned and still need this evaluation. */
  variantIds: string[];
  textPath: string;
  settings: EvalSettingsInput;
}

export interface SweepChainModelInput {
  /** The step's parameters when planned... */
  params: unknown;
  /** ...or the blocks to drop, known once the layer-importance step has ranked them. */
  prune: DistillPruneInput | null;
  label: string;
  position: number;
}

export interface SweepQuantizeOfInput {
  /** The chain step (prune or distill) whose model is quantized. */
  parentStep: string;
  request: Omit<QuantizeRequest, "model" | "imatrix" | "dryRun" | "out">;
  label: string;
  position: number;
}

/** One side of a speculative step: a model that existed at planning, or the step that makes it. */
export interface SweepSpeculateSide {
  model: { modelId: string; path: string } | null;
  step: string | null;
}

export interface SweepSpeculateInput {
  target: SweepSpeculateSide;
  draft: SweepSpeculateSide;
  prompts: string[];
  settings: SpeculateSettings;
}

/** The model a step made (quantize, prune, prune.width, distill results all carry one). */
function madeModel(result: unknown): ModelRecord | undefined {
  return (result as { model?: ModelRecord } | null)?.model;
}

function succeededResult<T>(dependencies: DependencyOutcome[], stepKey: string): T | undefined {
  const dependency = dependencies.find((d) => d.stepKey === stepKey && d.state === "succeeded");
  return dependency?.result as T | undefined;
}

function quantizeParams(input: SweepQuantizeInput, dependencies: DependencyOutcome[]): StepStart {
  let params: QuantizeJobParams = input.plan;
  if (input.imatrixStep) {
    const imatrix = succeededResult<ImatrixJobResult>(dependencies, input.imatrixStep);
    if (!imatrix) return { skip: `skipped: the importance matrix (${input.imatrixStep}) was not made` };
    params = {
      ...params,
      recipe: {
        ...params.recipe,
        imatrix: { artifactId: imatrix.artifactId, path: imatrix.path, sha256: imatrix.sha256 },
      },
      textSetId: imatrix.textSetId,
    };
  }
  // A file that appeared at the planned path since (another run) is never overwritten.
  if (params.outPath && existsSync(params.outPath)) {
    const ext = path.extname(params.outPath);
    params = {
      ...params,
      outPath: freePath(path.dirname(params.outPath), path.basename(params.outPath, ext), ext),
    };
  }
  return { params };
}

/** The model a step made joins the experiment under its label, at its planned position. */
const joinExperiment: StepHooks["succeeded"] = (input, job, { db, events, experimentId }) => {
  const { label, position } = input as { label: string; position: number };
  const model = madeModel(job.result);
  if (!experimentId || !model) return;
  addExperimentModel(db, experimentId, { modelId: model.id, label, position });
  events.emit("experiments.changed", { id: experimentId });
};

export const sweepStepHooks: StepHookRegistry = {
  "sweep.quantize": {
    params: (input, dependencies) => quantizeParams(input as SweepQuantizeInput, dependencies),
    succeeded: joinExperiment,
  },
  "sweep.chainModel": {
    params(input, dependencies, context) {
      const { params, prune } = input as SweepChainModelInput;
      if (prune) return distillStepHooks["distill.prune"]!.params!(prune, dependencies, context);
      // A distill step reads the student its prune step recorded.
      const planned = params as DistillJobParams;
      return { params: planned.student ? studentFromPrune(planned, dependencies) : params };
    },
    succeeded: joinExperiment,
  },
  "sweep.quantizeOf": {
    async params(input, dependencies, { db, dataDir }) {
      const { parentStep, request } = input as SweepQuantizeOfInput;
      const parent = madeModel(succeededResult(dependencies, parentStep));
      if (!parent) return { skip: `skipped: the model to quantize (${parentStep}) was not made` };
      return { params: await planQuantize(db, dataDir, { ...request, model: parent.id, imatrix: null }) };
    },
    succeeded: joinExperiment,
  },
  "sweep.speculate": {
    params(input, dependencies) {
      const { target, draft, prompts, settings } = input as SweepSpeculateInput;
      const resolve = (side: SweepSpeculateSide) => {
        if (side.model) return side.model;
        const made = side.step ? madeModel(succeededResult(dependencies, side.step)) : undefined;
        return made ? { modelId: made.id, path: made.path } : undefined;
      };
      const [targetModel, draftModel] = [resolve(target), resolve(draft)];
      if (!targetModel) return { skip: `skipped: the target (${target.step}) was not made` };
      if (!draftModel) return { skip: `skipped: the draft (${draft.step}) was not made` };
      return { params: { target: targetModel, draft: draftModel, prompts, settings } };
    },
  },
  "sweep.bench": {
    // A benchmark waits for every other step and the benchmark before it (interleavedBenchSteps.ts)
    // only to run after them: another variant failing, being skipped or cancelled must not cancel it.
    tolerateFailedDependencies: true,
    tolerateCancelledDependencies: true,
    params(input, dependencies) {
      const { settings, quantizeStep, model: planned } = input as SweepBenchInput;
      if (planned) return { params: { model: planned, settings } };
      const model = quantizeStep
        ? succeededResult<QuantizeJobResult>(dependencies, quantizeStep)?.model
        : undefined;
      if (!model) return { skip: `skipped: the variant (${quantizeStep}) was not made` };
      return { params: { model: { modelId: model.id, path: model.path }, settings } };
    },
  },
  "sweep.eval": {
    tolerateFailedDependencies: true,
    async params(input, dependencies, { db }) {
      const { baseModelId, variantIds, textPath, settings } = input as SweepEvalInput;
      const made = dependencies
        .filter((d) => d.state === "succeeded")
        .map((d) => madeModel(d.result)?.id)
        .filter((id): id is string => Boolean(id));
      const variants = [...new Set([...variantIds, ...made])];
      if (variants.length === 0) return { skip: "skipped: no variant was made to evaluate" };
      return { params: await planEvaluation(db, { base: baseModelId, variants, textPath, settings }) };
    },
  },
};
