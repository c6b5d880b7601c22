// Resolves a width-pruning request before its job is queued: the model (an F32/F16/BF16 llama model;
// quantized weights are refused rather than dequantized, so a pruned model never carries a second
// rounding), the calibration text stored as a text set, how much of each width to keep, checked
// against the model's widths, and where the new model goes.
import type { z } from "zod";
import { layerImportanceSettings } from "../../shared/domain/compression.js";
import type { ModelRecord } from "../../shared/domain/model.js";
import type { KeepAmount, PruneWidthJobParams, WidthRecipe } from "../../shared/domain/widthPruning.js";
import { resolveModel } from "../eval/planEvaluation.js";
import { CodedError } from "../errors.js";
import { ensureDataPaths } from "../paths.js";
import type { Db } from "../store/Store.js";
import { explicitOutPath, freePath, modelStem } from "./outputPath.js";
import { storeTextSet } from "./storeTextSet.js";

export interface PruneWidthRequest {
  model: string;
  text: string;
  /** How much to keep as the user wrote it: "0.75", "75%" or a count; null keeps that width whole. */
  ffnKeep: string | null;
  headsKeep: string | null;
  recipe: Omit<WidthRecipe, "ffnKeep" | "headsKeep">;
  settings?: z.input<typeof layerImportanceSettings>;
  out?: string | null;
}

const FLOAT_TYPES = new Set(["F32", "F16", "BF16"]);

/** "0.75" or "75%": a fraction of the width; "576": a count. Errors name the model file. */
export function parseKeepAmount(text: string, what: string, file: string): KeepAmount {
  const trimmed = text.trim();
  const percent = trimmed.endsWith("%");
  const number = Number(percent ? trimmed.slice(0, -1) : trimmed);
  const bad = (why: string) =>
    new CodedError("BAD_PRUNE_WIDTH", `${file}: ${what} to keep: "${text}" ${why}`, { file });
  if (trimmed === "" || !Number.isFinite(number)) throw bad("is not a fraction (0.75, 75%) or a count");
  if (percent || trimmed.includes(".")) {
    const value = percent ? number / 100 : number;
    if (!(value > 0 && value <= 1)) throw bad("is outside (0, 1]");
    return { kind: "fraction", value };
  }
  if (!Number.isInteger(number) || number < 1) throw bad("is not a positive count");
  return { kind: "count", value: number };
}

/** FFN channels of every block, from the shapes of blk.N.ffn_gate.weight ([n_embd, n_ff]). */
function ffnLengths(model: ModelRecord): number[] {
  return Array.from({ length: model.metadata.layers }, (_, b) => {
    const gate = model.metadata.tensors.find((t) => t.name === `blk.${b}.ffn_gate.weight`);
    if (!gate || gate.shape.length !== 2)
      throw new CodedError(
        "BAD_PRUNE_WIDTH",
        `${model.path}: block ${b} has no gated FFN (blk.${b}.ffn_gate.weight)`,
        {
          file: model.path,
        },
      );
    return gate.shape[1]!;
  });
}

function checkCount(amount: KeepAmount | null, widths: readonly number[], what: string, file: string): void {
  if (amount?.kind !== "count") return;
  const narrowest = Math.min(...widths);
  if (amount.value > narrowest)
    throw new CodedError(
      "BAD_PRUNE_WIDTH",
      `${file}: cannot keep ${amount.value} ${what}; the narrowest block has ${narrowest}`,
      {
        file,
      },
    );
}

export async function planPruneWidth(
  db: Db,
  dataDir: string,
  request: PruneWidthRequest,
): Promise<PruneWidthJobParams> {
  const model = await resolveModel(db, request.model);
  const file = model.path;
  if (model.metadata.architecture !== "llama")
    throw new CodedError(
      "BAD_PRUNE_WIDTH",
      `${file}: width pruning needs a llama-architecture model, this one is ${model.metadata.architecture}`,
      {
        file,
      },
    );
  const quantized = model.metadata.tensors.filter((t) => t.shape.length === 2 && !FLOAT_TYPES.has(t.type));
  if (quantized.length > 0)
    throw new CodedError(
      "PRUNE_INPUT_QUANTIZED",
      `${file}: ${quantized.length} tensors are quantized (${quantized[0]!.name} is ${quantized[0]!.type}); width pruning needs the F32, F16 or BF16 model it was quantized from`,
      { file },
    );
  if (request.ffnKeep === null && request.headsKeep === null)
    throw new CodedError(
      "BAD_PRUNE_WIDTH",
      `${file}: say how much of the FFN width or of the heads to keep`,
      { file },
    );
  const recipe: WidthRecipe = {
    ...request.recipe,
    ffnKeep: request.ffnKeep === null ? null : parseKeepAmount(request.ffnKeep, "FFN channels", file),
    headsKeep: request.headsKeep === null ? null : parseKeepAmount(request.headsKeep, "KV groups", file),
  };
  const ffn = ffnLengths(model);
  const headsKv = model.metadata.headsKv ?? model.metadata.heads;
  if (headsKv === null)
    throw new CodedError("BAD_PRUNE_WIDTH", `${file}: its head counts are not one number for every block`, {
      file,
    });
  const groups = ffn.map(() => headsKv);
  checkCount(recipe.ffnKeep, ffn, "FFN channels", file);
  checkCount(recipe.headsKeep, groups, "KV groups", file);
  const { textSet } = await storeTextSet(db, dataDir, request.text, "calibration");
  const label = [
    recipe.ffnKeep ? `ffn${amountLabel(recipe.ffnKeep)}` : null,
    recipe.headsKeep ? `heads${amountLabel(recipe.headsKeep)}` : null,
  ]
    .filter((x) => x !== null)
    .join("-");
  return {
    model: { modelId: model.id, path: model.path, sha256: model.sha256 },
    text: { textSetId: textSet.id, path: textSet.path, sha256: textSet.sha256, name: textSet.name },
    settings: layerImportanceSettings.parse(request.settings ?? {}),
    recipe,
    original: { ffnLengths: ffn, headCountsKv: groups },
    outPath: request.out
      ? explicitOutPath(request.out)
      : freePath(ensureDataPaths(dataDir).models, `${modelStem(model.path)}.width-${label}`, ".gguf"),
  };
}

function amountLabel(amount: KeepAmount): string {
  return amount.kind === "fraction" ? `${Math.round(amount.value * 100)}pct` : String(amount.value);
}
