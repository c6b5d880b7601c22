// quantize, parent half: moves the worker's file to the requested path and records it as a variant
// of its parent with the full recipe, the llama.cpp build, and the imatrix and its text set.
import { llamaBuildLabel } from "../../../shared/domain/llamaBuild.js";
import path from "node:path";
import { findQuantType } from "../../../shared/quantTypes.js";
import { getModelById } from "../../store/models.js";
import { defineJobKindHost } from "../JobKindHost.js";
import { checkLibraryModelNotQuantized } from "../../quantize/checkQuantizeInput.js";
import { recordVariant } from "./recordVariant.js";

export const quantizeHost = defineJobKindHost({
  kind: "quantize",
  estimateOutput(params, { db }) {
    const parent = getModelById(db, params.model.modelId);
    const type = findQuantType(params.recipe.type);
    // A job started without planning (the screens' dry run, a protocol client) gets the refusal
    // planning gives, before a worker runs; a dry run must not predict what the real one refuses.
    if (parent && type && !type.copyOnly)
      checkLibraryModelNotQuantized(db, parent, params.recipe.allowRequantize);
    if (params.dryRun || !params.outPath) return null;
    if (!parent || !type) return null;
    // Never larger than the parent unless it widens the weights (F32 from F16, ...).
    const factor = type.bpw >= 16 || type.copyOnly ? 2 : 1;
    return { bytes: parent.sizeBytes * factor, dir: path.dirname(params.outPath) };
  },
  async complete({ report, build, facts }, params, context) {
    if (params.dryRun || !facts)
      return {
        dryRun: true,
        model: null,
        alreadyPresent: false,
        llamaBuild: llamaBuildLabel(build.release, build.commit),
        report,
      };
    if (!params.outPath) throw new Error("quantize: no output path");
    const recorded = await recordVariant(
      {
        facts,
        outPath: params.outPath,
        lineage: {
          parentId: params.model.modelId,
          recipeKind: "quantize",
          recipe: { ...params.recipe, threads: params.threads, build, parentSha256: params.model.sha256 },
          llamaBuild: llamaBuildLabel(build.release, build.commit),
          textSetId: params.textSetId,
          imatrixId: params.recipe.imatrix?.artifactId ?? null,
        },
      },
      context,
    );
    return {
      dryRun: false,
      model: recorded.model,
      alreadyPresent: recorded.alreadyPresent,
      llamaBuild: llamaBuildLabel(build.release, build.commit),
      report,
    };
  },
});
