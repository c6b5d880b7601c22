// A sweep's chain (docs/distillation.md, "A sweep that prunes, heals and quantizes"): the base is
// pruned, the pruned model is healed by distillation from the base (the teacher), and every type of
// the sweep is quantized from each of them, so the evaluation against the base shows, per quant
// level, the original's variant, the unhealed one and the healed one. The student steps are planned
// by the distillation's own planning (planStudentSteps, distillParams). Finished work is reused: a
// pruned model made the same way, a student distilled with the same teacher, texts and settings, and
// their variants. A model still to be made is quantized by a step planned when it exists.
import { checkTrainable } from "../distill/checkTrainable.js";
import path from "node:path";
import { chainLabels, chainVariantLabel, type SweepPrune } from "../../shared/domain/experiment.js";
import type { ModelRecord } from "../../shared/domain/model.js";
import { findQuantType } from "../../shared/quantTypes.js";
import {
  distillParams,
  planStudentSteps,
  type StudentRecipe,
  chainWidthRecipe,
} from "../distill/planDistill.js";
import type { DistillPruneInput } from "../distill/distillSteps.js";
import { CodedError } from "../errors.js";
import { ensureDataPaths } from "../paths.js";
import { freePath, modelStem } from "../quantize/outputPath.js";
import { planQuantize } from "../quantize/planQuantize.js";
import { parseKeepAmount } from "../quantize/planPruneWidth.js";
import { storeTextSet } from "../quantize/storeTextSet.js";
import { addExperimentModel } from "../store/experiments.js";
import { findDistilledVariant, findPrunedVariant } from "./reusableResults.js";
import { planVariant, type SweepPlanning } from "./sweepPlanning.js";
import type { SweepChainModelInput, SweepQuantizeOfInput } from "./sweepSteps.js";

function studentRecipe(prune: SweepPrune): StudentRecipe {
  if (prune.by === "least-important") return { drop: prune.drop };
  if (prune.by === "blocks") return { blocks: prune.blocks };
  return { width: { ffnKeep: prune.ffnKeep, headsKeep: prune.headsKeep } };
}

/** How the student came to be, as the distilled model's lineage records it. */
function studentFrom(prune: SweepPrune): string {
  if (prune.by === "least-important") return `drop:${prune.drop}`;
  if (prune.by === "blocks") return `blocks:${prune.blocks.join(",")}`;
  return `width:ffn=${prune.ffnKeep ?? "all"},heads=${prune.headsKeep ?? "all"}`;
}

/** A chain model: one that exists, or the step that makes it. */
type ChainModel = { model: ModelRecord } | { step: string; path: string };

async function findPruned(
  planning: SweepPlanning,
  base: ModelRecord,
  prune: SweepPrune,
  text: string | null,
): Promise<ModelRecord | undefined> {
  const { db, dataDir } = planning.host;
  if (prune.by === "blocks") return findPrunedVariant(db, base.id, { blocks: prune.blocks });
  const { textSet } = await storeTextSet(db, dataDir, text!, "calibration");
  if (prune.by === "least-important")
    return findPrunedVariant(db, base.id, { drop: prune.drop, textSetId: textSet.id });
  const amount = (value: string | null, what: string) =>
    value === null ? null : parseKeepAmount(value, what, base.path);
  return findPrunedVariant(db, base.id, {
    width: {
      ...chainWidthRecipe,
      ffnKeep: amount(prune.ffnKeep, "FFN channels"),
      headsKeep: amount(prune.headsKeep, "KV groups"),
    },
    textSha256: textSet.sha256,
  });
}

/** Every type of the sweep quantized from a chain model (no importance matrix: it is the base's). */
async function planChainVariants(
  planning: SweepPlanning,
  parent: ChainModel,
  chainLabel: string,
  types: readonly string[],
): Promise<void> {
  const { db, dataDir } = planning.host;
  const { recipe } = planning;
  for (const type of types) {
    const label = chainVariantLabel(type, chainLabel);
    const request = {
      type,
      tensorTypes: recipe.tensorTypes,
      allowRequantize: recipe.allowRequantize,
      threads: recipe.threads,
    };
    if ("model" in parent) {
      const planned = await planQuantize(db, dataDir, { ...request, model: parent.model.id, imatrix: null });
      await planVariant(planning, parent.model, planned, label, null);
      continue;
    }
    const key = `quantize:${label}`;
    const input: SweepQuantizeOfInput = {
      parentStep: parent.step,
      request,
      label,
      position: planning.position++,
    };
    planning.nodes.push({
      key,
      kind: "quantize",
      hook: { name: "sweep.quantizeOf", input },
      dependsOn: [parent.step],
    });
    planning.madeSteps.push(key);
    planning.variants.push({ label, type, made: { step: key } });
    planning.benchMade(key, label);
  }
}

/** An existing chain model reused: it joins the experiment and is evaluated. */
function reuseChainModel(
  planning: SweepPlanning,
  step: "prune" | "distill",
  model: ModelRecord,
  label: string,
) {
  planning.reuse(step, label);
  addExperimentModel(planning.host.db, planning.experimentId, {
    modelId: model.id,
    label,
    position: planning.position++,
  });
  planning.existing.push(model);
}

export async function planSweepChain(
  planning: SweepPlanning,
  base: ModelRecord,
  prune: SweepPrune,
  types: readonly string[],
): Promise<void> {
  const { db, dataDir } = planning.host;
  const { recipe } = planning;
  const text = recipe.distill?.text ?? recipe.calibrationText;
  if (!text && (prune.by !== "blocks" || recipe.distill))
    throw new CodedError(
      "CALIBRATION_TEXT_REQUIRED",
      prune.by === "blocks"
        ? "healing by distillation needs a training text (the calibration text, or a distillation text)"
        : "ranking what to prune needs a calibration text",
      { remedies: ["provide-calibration-text"] },
    );
  const needing = types.filter((t) => findQuantType(t)?.needsImatrix);
  if (needing.length > 0)
    throw new CodedError(
      "IMATRIX_REQUIRED",
      `${needing.join(", ")} need an importance matrix; the pruned and healed models are quantized without one (the base's does not fit them)`,
      { remedies: ["provide-imatrix"] },
    );
  // Refused while planning, before anything runs, rather than at the distill step.
  if (recipe.distill) checkTrainable(base.path, base.metadata, "student made from it");
  const labels = chainLabels(prune);
  const models = ensureDataPaths(dataDir).models;
  const stem = modelStem(base.path);

  const existingPruned = await findPruned(planning, base, prune, text);
  let pruned: ChainModel;
  if (existingPruned) {
    reuseChainModel(planning, "prune", existingPruned, labels.pruned);
    pruned = { model: existingPruned };
  } else {
    const out = freePath(models, `${stem}.${labels.pruned}`, ".gguf");
    const steps = await planStudentSteps(db, dataDir, base, studentRecipe(prune), {
      text: text ?? "",
      threads: recipe.threads,
      out,
    });
    for (const node of steps) {
      if (node.key !== "prune") {
        planning.nodes.push(node);
        continue;
      }
      // The prune step's model joins the experiment when made (sweep.chainModel).
      const input: SweepChainModelInput = {
        params: node.params ?? null,
        prune: node.hook ? (node.hook.input as DistillPruneInput) : null,
        label: labels.pruned,
        position: planning.position++,
      };
      planning.nodes.push({ ...node, params: undefined, hook: { name: "sweep.chainModel", input } });
    }
    planning.madeSteps.push("prune");
    pruned = { step: "prune", path: out };
  }
  await planChainVariants(planning, pruned, labels.pruned, types);

  if (!recipe.distill) return;
  const { settings, heldout } = recipe.distill;
  let healed: ChainModel | undefined;
  if ("model" in pruned) {
    const texts = {
      text: (await storeTextSet(db, dataDir, text!, "calibration")).textSet.sha256,
      heldout: heldout ? (await storeTextSet(db, dataDir, heldout, "evaluation")).textSet.sha256 : null,
    };
    const found = findDistilledVariant(db, pruned.model.id, {
      teacherSha256: base.sha256,
      textSha256: texts.text,
      heldoutSha256: texts.heldout,
      settings,
    });
    if (found) {
      reuseChainModel(planning, "distill", found, labels.healed);
      healed = { model: found };
    }
  }
  if (!healed) {
    const student =
      "model" in pruned
        ? { path: pruned.model.path, modelId: pruned.model.id, sha256: pruned.model.sha256 }
        : { path: pruned.path, modelId: null, sha256: null };
    const outPath = freePath(models, `${path.basename(student.path, ".gguf")}.${labels.healed}`, ".gguf");
    const params = await distillParams(
      db,
      dataDir,
      base,
      student,
      studentFrom(prune),
      { teacher: base.id, text: text!, heldout },
      settings,
      outPath,
    );
    const input: SweepChainModelInput = {
      params,
      prune: null,
      label: labels.healed,
      position: planning.position++,
    };
    planning.nodes.push({
      key: "distill",
      kind: "distill",
      hook: { name: "sweep.chainModel", input },
      dependsOn: "model" in pruned ? [] : [pruned.step],
    });
    planning.madeSteps.push("distill");
    healed = { step: "distill", path: outPath };
  }
  await planChainVariants(planning, healed, labels.healed, types);
}
