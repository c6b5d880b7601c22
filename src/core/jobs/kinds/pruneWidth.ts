// prune.width, parent half: moves the narrower model into place and records it as a variant of its
// parent (recipe kind 'prune' with method 'width': the recipe, the widths kept per block, the calibration text the
// ranking came from), so a later step (distillation) can take it as its student.
import { llamaBuildLabel } from "../../../shared/domain/llamaBuild.js";
import path from "node:path";
import { getModelById } from "../../store/models.js";
import { defineJobKindHost } from "../JobKindHost.js";
import { recordVariant } from "./recordVariant.js";

export const pruneWidthHost = defineJobKindHost({
  kind: "prune.width",
  estimateOutput(params, { db }) {
    const parent = getModelById(db, params.model.modelId);
    return parent ? { bytes: parent.sizeBytes, dir: path.dirname(params.outPath) } : null;
  },
  async complete(value, params, context) {
    const ffnKept = value.ffnLengths.map((n, b) => n / params.original.ffnLengths[b]!);
    const widths = {
      architecture: value.architecture,
      ffnLengths: value.ffnLengths,
      headCounts: value.headCounts,
      headCountsKv: value.headCountsKv,
      kQuantFallbacks: value.kQuantFallbacks,
    };
    const recorded = await recordVariant(
      {
        facts: value.facts,
        outPath: params.outPath,
        lineage: {
          parentId: params.model.modelId,
          recipeKind: "prune",
          recipe: {
            method: "width",
            ...params.recipe,
            ...widths,
            ffnKept,
            original: params.original,
            importance: { textSha256: params.text.sha256, settings: params.settings },
            build: value.build,
            parentSha256: params.model.sha256,
          },
          llamaBuild: llamaBuildLabel(value.build.release, value.build.commit),
          textSetId: params.text.textSetId,
        },
      },
      context,
    );
    return {
      model: recorded.model,
      alreadyPresent: recorded.alreadyPresent,
      llamaBuild: llamaBuildLabel(value.build.release, value.build.commit),
      ...widths,
      ffnKept,
    };
  },
});
