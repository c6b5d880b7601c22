// A sweep's speculative steps (docs/speculative.md, "In the loop and in the UI"): the target is
// decoded with each chosen variant as its draft, one `speculate` job per draft, waiting for the
// quantize steps that make the two models. A run of the same target and draft with the same prompts
// and settings on this machine is reused instead of measured again.
import type { SweepSpeculate } from "../../shared/domain/experiment.js";
import type { ModelRecord } from "../../shared/domain/model.js";
import { speculateSettings, type SpeculateSettings } from "../../shared/domain/speculate.js";
import { CodedError } from "../errors.js";
import { resolveModel } from "../eval/planEvaluation.js";
import { promptsSha256 } from "../speculate/promptsSha256.js";
import { findSpeculateRun } from "./reusableResults.js";
import type { PlannedVariant, SweepPlanning } from "./sweepPlanning.js";
import type { SweepSpeculateInput } from "./sweepSteps.js";

/** The base's names as a speculative target. */
const baseNames = ["original", "base"];

/** The variant a name means: its label ("Q4_K_M+imatrix", "Q4_K_M · pruned-1"), else its type. */
function findVariant(variants: readonly PlannedVariant[], name: string): PlannedVariant | undefined {
  const wanted = name.toLowerCase();
  return (
    variants.find((v) => v.label.toLowerCase() === wanted) ??
    variants.find((v) => v.type.toLowerCase() === wanted)
  );
}

async function speculativeTarget(
  planning: SweepPlanning,
  base: ModelRecord,
  name: string,
): Promise<PlannedVariant> {
  if (baseNames.includes(name.toLowerCase())) return { label: "base", type: "base", made: { model: base } };
  const variant = findVariant(planning.variants, name);
  if (variant) return variant;
  try {
    const model = await resolveModel(planning.host.db, name);
    return { label: model.fileName, type: model.fileName, made: { model } };
  } catch {
    throw new CodedError(
      "UNKNOWN_SPECULATIVE_MODEL",
      `the speculative target "${name}" is neither "original", a type of the sweep (${planning.variants.map((v) => v.label).join(", ")}) nor a library model`,
    );
  }
}

function speculativeDrafts(
  variants: readonly PlannedVariant[],
  target: PlannedVariant,
  drafts: SweepSpeculate["drafts"],
): PlannedVariant[] {
  if (drafts === "all") return variants.filter((v) => v !== target);
  return drafts.map((name) => {
    const found = findVariant(variants, name);
    if (!found)
      throw new CodedError(
        "UNKNOWN_SPECULATIVE_MODEL",
        `the draft "${name}" is not a type of the sweep (${variants.map((v) => v.label).join(", ")})`,
      );
    return found;
  });
}

/** The settings a recorded run must have been made with to be reused. */
function reuseKey(settings: SpeculateSettings, prompts: readonly string[]): Record<string, unknown> {
  return {
    promptsSha256: promptsSha256(prompts),
    maxTokens: settings.maxTokens,
    draftMax: settings.draftMax,
    draftMin: settings.draftMin,
    pMin: settings.pMin,
    reps: settings.reps,
    contextSize: settings.contextSize,
    gpu: settings.gpu,
    llamaBuild: settings.llamaBuild,
    ...(settings.threads === null ? {} : { threads: settings.threads }),
  };
}

const modelRef = (model: ModelRecord) => ({ modelId: model.id, path: model.path });

export async function planSweepSpeculate(
  planning: SweepPlanning,
  base: ModelRecord,
  spec: SweepSpeculate,
): Promise<void> {
  const { recipe } = planning;
  const target = await speculativeTarget(planning, base, spec.target);
  const drafts = speculativeDrafts(planning.variants, target, spec.drafts);
  const settings = speculateSettings.parse({
    maxTokens: spec.maxTokens,
    draftMax: spec.draftMax,
    reps: spec.reps,
    threads: recipe.threads,
    gpu: recipe.gpu,
    gpuLayers: recipe.gpuLayers,
    allowSoftwareGpu: recipe.allowSoftwareGpu,
    llamaBuild: recipe.llamaBuild,
  });
  const key = reuseKey(settings, spec.prompts);
  for (const draft of drafts) {
    if (
      "model" in target.made &&
      "model" in draft.made &&
      findSpeculateRun(planning.host.db, target.made.model.id, draft.made.model.id, key)
    ) {
      planning.reuse("speculate", draft.label);
      continue;
    }
    const side = (v: PlannedVariant) =>
      "model" in v.made ? { model: modelRef(v.made.model), step: null } : { model: null, step: v.made.step };
    const input: SweepSpeculateInput = {
      target: side(target),
      draft: side(draft),
      prompts: spec.prompts,
      settings,
    };
    planning.nodes.push({
      key: `speculate:${draft.label}`,
      kind: "speculate",
      hook: { name: "sweep.speculate", input },
      dependsOn: [target, draft].flatMap((v) => ("step" in v.made ? [v.made.step] : [])),
    });
  }
}
