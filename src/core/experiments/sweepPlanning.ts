// Planning a sweep's graph, shared by its quantize steps of the base (runSweep.ts) and of its
// chain's pruned and healed models (planSweepChain.ts): what the plan builds up, and a variant of an
// existing parent reused or queued as a quantize step with its benchmark.
import type { QuantizeJobParams } from "../../shared/domain/compression.js";
import type { SweepRecipe } from "../../shared/domain/experiment.js";
import type { ModelRecord } from "../../shared/domain/model.js";
import { findQuantType } from "../../shared/quantTypes.js";
import type { GraphNode } from "../jobs/JobGraph.js";
import type { JobQueue } from "../jobs/JobQueue.js";
import { ensureDataPaths } from "../paths.js";
import { freePath, modelStem } from "../quantize/outputPath.js";
import type { EventBus } from "../rpc/eventBus.js";
import { addExperimentModel } from "../store/experiments.js";
import type { Db } from "../store/Store.js";
import type { GraphStepRecord } from "./experimentGraph.js";
import { findQuantizedVariant } from "./reusableResults.js";
import type { SweepQuantizeInput } from "./sweepSteps.js";

export interface SweepHost {
  readonly db: Db;
  readonly dataDir: string;
  readonly jobs: JobQueue;
  readonly events: EventBus;
}

export type SweepStep =
  "imatrix" | "quantize" | "eval" | "bench" | "layers" | "prune" | "distill" | "speculate";

export interface SweepStepRecord extends GraphStepRecord {
  step: SweepStep;
}

export function variantLabel(type: string, withImatrix: boolean): string {
  return withImatrix ? `${type}+imatrix` : type;
}

/** A variant of the sweep as planned: a model that exists, or the quantize step that makes it. */
export interface PlannedVariant {
  label: string;
  /** The quant type it was made with. */
  type: string;
  made: { model: ModelRecord } | { step: string };
}

/** What planning a sweep builds up: the nodes, the steps reused, the models the evaluation scores. */
export interface SweepPlanning {
  readonly host: SweepHost;
  readonly experimentId: string;
  readonly recipe: SweepRecipe;
  readonly nodes: GraphNode[];
  readonly reused: SweepStepRecord[];
  /** Variants that exist already (the evaluation scores them unless it has). */
  readonly existing: ModelRecord[];
  /** Steps whose models the evaluation scores. */
  readonly madeSteps: string[];
  /** Every quantized variant, reused or to be made (the speculative steps pick drafts among them). */
  readonly variants: PlannedVariant[];
  /** The next member position in the experiment. */
  position: number;
  reuse(step: SweepStep, label: string): void;
  /** Queues a benchmark of an existing model unless one with these settings was made. */
  benchExisting(model: ModelRecord, label: string): void;
  /** Queues the benchmark of the model a step makes. */
  benchMade(quantizeStep: string, label: string): void;
}

/**
 * A variant of an existing parent: reused when a variant with the same recipe exists, else a
 * quantize step (its importance matrix from `imatrixStep` when it waits for one).
 */
export async function planVariant(
  planning: SweepPlanning,
  parent: ModelRecord,
  planned: QuantizeJobParams,
  label: string,
  imatrixStep: string | null,
): Promise<void> {
  const { db, dataDir } = planning.host;
  const existing = imatrixStep ? undefined : findQuantizedVariant(db, parent.id, planned.recipe);
  if (existing) {
    planning.reuse("quantize", label);
    addExperimentModel(db, planning.experimentId, {
      modelId: existing.id,
      label,
      position: planning.position++,
    });
    planning.existing.push(existing);
    planning.variants.push({ label, type: planned.recipe.type, made: { model: existing } });
    planning.benchExisting(existing, label);
    return;
  }
  const key = `quantize:${label}`;
  const plan = imatrixStep
    ? { ...planned, dryRun: false, outPath: plannedOutPath(dataDir, parent, planned.recipe.type) }
    : planned;
  const input: SweepQuantizeInput = { plan, imatrixStep, label, position: planning.position++ };
  planning.nodes.push({
    key,
    kind: "quantize",
    hook: { name: "sweep.quantize", input },
    dependsOn: imatrixStep ? [imatrixStep] : [],
  });
  planning.madeSteps.push(key);
  planning.variants.push({ label, type: planned.recipe.type, made: { step: key } });
  planning.benchMade(key, label);
}

/**
 * Where a variant whose importance matrix is still to be made will be written (as planQuantize
 * names it). Two variants of one type share the name until the first exists: its step's hook then
 * picks a free one.
 */
function plannedOutPath(dataDir: string, parent: ModelRecord, type: string): string {
  const found = findQuantType(type)!;
  return freePath(
    ensureDataPaths(dataDir).models,
    `${modelStem(parent.path)}.${found.aliasOf ?? found.name}`,
    ".gguf",
  );
}
