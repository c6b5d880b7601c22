// Finds work a sweep has already done, so a re-run reuses finished artifacts instead of redoing
// them: a variant quantized from the same parent with the same recipe (file still present), an
// importance matrix of the same model, text and settings, an evaluation against the same base, text
// and settings, a benchmark with the same settings on this machine, and a sweep chain's pruned
// model and the student distilled from it with the same teacher, texts and settings, and a
// speculative run of the same target, draft, prompts and settings on this machine.
import { existsSync } from "node:fs";
import type { QuantizeRecipe } from "../../shared/domain/compression.js";
import type { RunRecord } from "../../shared/domain/run.js";
import { hostCpu } from "../machine/machineFingerprint.js";
import { isDeviceMachineId } from "../deviceResults/deviceMachine.js";
import { getMachine } from "../machine/machineStore.js";
import { listArtifacts, type Artifact } from "../store/artifacts.js";
import { getModelById } from "../store/models.js";
import { listRuns } from "../store/runs.js";
import type { Db } from "../store/Store.js";
import { listChildVariants } from "../store/variants.js";
import type { ModelRecord } from "../../shared/domain/model.js";

/** The recipe fields that decide the output bytes (paths and artifact ids do not). */
function recipeKey(recipe: QuantizeRecipe): string {
  return JSON.stringify([
    recipe.type,
    recipe.imatrix?.sha256 ?? null,
    recipe.tensorTypes.map((t) => [t.pattern, t.type]),
    recipe.outputTensorType,
    recipe.tokenEmbeddingType,
    recipe.pure,
    recipe.leaveOutputTensor,
  ]);
}

export function findQuantizedVariant(
  db: Db,
  parentId: string,
  recipe: QuantizeRecipe,
): ModelRecord | undefined {
  const wanted = recipeKey(recipe);
  for (const variant of listChildVariants(db, parentId)) {
    if (variant.recipeKind !== "quantize") continue;
    if (recipeKey(variant.recipe as QuantizeRecipe) !== wanted) continue;
    const model = getModelById(db, variant.modelId);
    if (model && existsSync(model.path)) return model;
  }
  return undefined;
}

export function findImatrix(
  db: Db,
  modelId: string,
  textSetId: string,
  settings: { contextSize: number; chunks: number | null },
): Artifact | undefined {
  return listArtifacts(db, { modelId, kind: "imatrix" }).find((a) => {
    const s = a.settings as { contextSize?: number; chunks?: number | null };
    return (
      a.textSetId === textSetId &&
      s.contextSize === settings.contextSize &&
      (s.chunks ?? null) === settings.chunks &&
      existsSync(a.path)
    );
  });
}

export function findEvalRun(
  db: Db,
  modelId: string,
  baseModelId: string,
  textSetId: string,
  settings: { contextSize: number; chunks: number | null },
): RunRecord | undefined {
  return listRuns(db, { modelId, kind: "eval", limit: 100 }).find((run) => {
    const s = run.settings as { contextSize?: number; chunks?: number | null };
    return (
      run.baseModelId === baseModelId &&
      run.textSetId === textSetId &&
      s.contextSize === settings.contextSize &&
      (s.chunks ?? null) === settings.chunks
    );
  });
}

/** Whether a run was recorded on a machine like this one (speeds are compared only there). */
function ranOnThisMachine(db: Db, run: RunRecord): boolean {
  // A device's imported results are never this machine's, whatever CPU the device printed.
  if (isDeviceMachineId(run.machineId)) return false;
  const host = hostCpu();
  const machine = getMachine(db, run.machineId);
  return Boolean(machine && machine.cpu === host.cpu && machine.cores === host.cores);
}

/**
 * A speculative run of this target with this draft on a machine like this one, whose recorded
 * settings hold every one of `settings` (the prompts' hash among them).
 */
export function findSpeculateRun(
  db: Db,
  targetId: string,
  draftId: string,
  settings: Record<string, unknown>,
): RunRecord | undefined {
  return listRuns(db, { modelId: targetId, kind: "speculate", limit: 200 }).find((run) => {
    if (!ranOnThisMachine(db, run)) return false;
    const recorded = run.settings as Record<string, unknown>;
    return (
      recorded.draftModelId === draftId &&
      Object.entries(settings).every(([key, value]) => sameJson(recorded[key] ?? null, value ?? null))
    );
  });
}

/** A benchmark of this model with the same settings, recorded on a machine like this one. */
export function findBenchRun(
  db: Db,
  modelId: string,
  settings: Record<string, unknown>,
): RunRecord | undefined {
  return listRuns(db, { modelId, kind: "bench", limit: 100 }).find((run) => {
    if (!ranOnThisMachine(db, run)) return false;
    const recorded = run.settings as Record<string, unknown>;
    // Runs recorded before the device settings were named: "false" was the CPU, software never allowed.
    const s: Record<string, unknown> = {
      ...recorded,
      gpu: recorded.gpu === "false" ? "cpu" : (recorded.gpu ?? "auto"),
      allowSoftwareGpu: recorded.allowSoftwareGpu ?? false,
      // Runs recorded before the machine build existed ran on the prebuilt binaries.
      llamaBuild: recorded.llamaBuild ?? "prebuilt",
    };
    return Object.entries(settings).every(
      ([key, value]) => JSON.stringify(s[key] ?? null) === JSON.stringify(value ?? null),
    );
  });
}

/** A child of `parentId` with this recipe kind whose recipe matches (file still present). */
function findChildVariant(
  db: Db,
  parentId: string,
  recipeKind: string,
  matches: (recipe: Record<string, unknown>, textSetId: string | null) => boolean,
): ModelRecord | undefined {
  for (const variant of listChildVariants(db, parentId)) {
    if (variant.recipeKind !== recipeKind) continue;
    if (typeof variant.recipe !== "object" || variant.recipe === null) continue;
    if (!matches(variant.recipe as Record<string, unknown>, variant.textSetId)) continue;
    const model = getModelById(db, variant.modelId);
    if (model && existsSync(model.path)) return model;
  }
  return undefined;
}

const sameJson = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * A pruned child of `parentId` made the way a sweep's chain asks: the N least important blocks as
 * ranked on this text, these blocks, or this width recipe measured on this text.
 */
export function findPrunedVariant(
  db: Db,
  parentId: string,
  wanted:
    | { drop: number; textSetId: string }
    | { blocks: readonly number[] }
    | { width: Record<string, unknown>; textSha256: string },
): ModelRecord | undefined {
  return findChildVariant(db, parentId, "prune", (recipe, textSetId) => {
    if ("drop" in wanted)
      return (
        recipe.selection === "least-important" &&
        Array.isArray(recipe.dropped) &&
        recipe.dropped.length === wanted.drop &&
        textSetId === wanted.textSetId
      );
    if ("blocks" in wanted)
      return (
        recipe.selection === "explicit" &&
        sameJson(
          recipe.dropped,
          [...new Set(wanted.blocks)].sort((a, b) => a - b),
        )
      );
    const importance = recipe.importance as { textSha256?: string } | undefined;
    return (
      recipe.method === "width" &&
      importance?.textSha256 === wanted.textSha256 &&
      Object.entries(wanted.width).every(([key, value]) => sameJson(recipe[key], value))
    );
  });
}

/** A student distilled from this teacher on these texts with these settings. */
export function findDistilledVariant(
  db: Db,
  studentId: string,
  wanted: { teacherSha256: string; textSha256: string; heldoutSha256: string | null; settings: unknown },
): ModelRecord | undefined {
  return findChildVariant(db, studentId, "distill", (recipe) => {
    const teacher = recipe.teacher as { sha256?: string } | undefined;
    const text = recipe.text as { sha256?: string } | undefined;
    const heldout = recipe.heldout as { sha256?: string } | null | undefined;
    return (
      teacher?.sha256 === wanted.teacherSha256 &&
      text?.sha256 === wanted.textSha256 &&
      (heldout?.sha256 ?? null) === wanted.heldoutSha256 &&
      sameJson(recipe.settings, wanted.settings)
    );
  });
}
