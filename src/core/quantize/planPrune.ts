// Resolves a prune request before its job is queued: which blocks go (given explicitly, or the N
// least important of a layer-importance run), checked against the model's block count, and where
// the new model goes.
import type { PruneJobParams } from "../../shared/domain/compression.js";
import { resolveModel } from "../eval/planEvaluation.js";
import { ensureDataPaths } from "../paths.js";
import { CodedError } from "../errors.js";
import type { Db } from "../store/Store.js";
import { explicitOutPath, freePath, modelStem } from "./outputPath.js";

export interface PruneRequest {
  model: string;
  /** Explicit block indices... */
  layers?: readonly number[];
  /** ...or the N least important blocks of `ranking` (least important first). */
  drop?: number;
  ranking?: { layersRunId: string; order: readonly number[]; textSetId: string | null };
  threads?: number | null;
  out?: string | null;
}

export function parseLayerList(text: string): number[] {
  const parts = text
    .split(",")
    .map((p) => p.trim())
    .filter((p) => p !== "");
  if (parts.length === 0)
    throw new CodedError("BAD_PRUNE_BLOCKS", `blocks to drop "${text}": expected block indices like 3,5`);
  return parts.map((p) => {
    const n = Number(p);
    if (!Number.isInteger(n) || n < 0)
      throw new CodedError("BAD_PRUNE_BLOCKS", `blocks to drop: "${p}" is not a block index`);
    return n;
  });
}

export async function planPrune(db: Db, dataDir: string, request: PruneRequest): Promise<PruneJobParams> {
  const model = await resolveModel(db, request.model);
  const blockCount = model.metadata.layers;
  let dropped: number[];
  let selection: "explicit" | "least-important";
  if (request.layers && request.layers.length > 0) {
    dropped = [...new Set(request.layers)].sort((a, b) => a - b);
    selection = "explicit";
  } else if (request.drop !== undefined && request.ranking) {
    if (!Number.isInteger(request.drop) || request.drop < 1)
      throw new CodedError(
        "BAD_PRUNE_BLOCKS",
        "the number of blocks to drop must be a positive whole number",
      );
    dropped = request.ranking.order.slice(0, request.drop).sort((a, b) => a - b);
    selection = "least-important";
  } else {
    throw new CodedError(
      "PRUNE_BLOCKS_MISSING",
      "no blocks to drop: name the blocks, or how many of the least important ones to drop",
      { remedies: ["choose-blocks-to-drop"] },
    );
  }
  const outOfRange = dropped.filter((d) => d >= blockCount);
  if (outOfRange.length > 0)
    throw new CodedError(
      "BAD_PRUNE_BLOCKS",
      `${model.path}: has ${blockCount} blocks (0-${blockCount - 1}); cannot drop ${outOfRange.join(", ")}`,
      { file: model.path },
    );
  if (dropped.length >= blockCount)
    throw new CodedError(
      "BAD_PRUNE_BLOCKS",
      `${model.path}: dropping ${dropped.length} of ${blockCount} blocks leaves none`,
      { file: model.path },
    );
  const outPath = request.out
    ? explicitOutPath(request.out)
    : freePath(
        ensureDataPaths(dataDir).models,
        `${modelStem(model.path)}.pruned-${dropped.join("_")}`,
        ".gguf",
      );
  return {
    model: { modelId: model.id, path: model.path, sha256: model.sha256 },
    recipe: {
      dropped,
      selection,
      layersRunId: selection === "least-important" ? (request.ranking?.layersRunId ?? null) : null,
      originalBlockCount: blockCount,
    },
    textSetId: selection === "least-important" ? (request.ranking?.textSetId ?? null) : null,
    threads: request.threads ?? null,
    outPath,
  };
}
