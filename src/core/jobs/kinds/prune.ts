// prune, parent half: moves the pruned file into place and records it as a variant (recipe kind
// 'prune': which blocks, how they were chosen, the layer-importance run behind the choice).
import { llamaBuildLabel } from "../../../shared/domain/llamaBuild.js";
import path from "node:path";
import { getModelById } from "../../store/models.js";
import { defineJobKindHost } from "../JobKindHost.js";
import { recordVariant } from "./recordVariant.js";

export const pruneHost = defineJobKindHost({
  kind: "prune",
  estimateOutput(params, { db }) {
    const parent = getModelById(db, params.model.modelId);
    return parent ? { bytes: parent.sizeBytes, dir: path.dirname(params.outPath) } : null;
  },
  async complete({ facts, fixedMetadata, build }, params, context) {
    const recorded = await recordVariant(
      {
        facts,
        outPath: params.outPath,
        lineage: {
          parentId: params.model.modelId,
          recipeKind: "prune",
          recipe: { ...params.recipe, fixedMetadata, build, parentSha256: params.model.sha256 },
          llamaBuild: llamaBuildLabel(build.release, build.commit),
          textSetId: params.textSetId,
        },
      },
      context,
    );
    return {
      model: recorded.model,
      alreadyPresent: recorded.alreadyPresent,
      llamaBuild: llamaBuildLabel(build.release, build.commit),
      dropped: params.recipe.dropped,
      blockCount: params.recipe.originalBlockCount - params.recipe.dropped.length,
      fixedMetadata,
    };
  },
});
