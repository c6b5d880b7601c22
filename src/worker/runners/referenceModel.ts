// reference.build, worker half: trains the reference model into the job's temp folder. The parent
// (core/jobs/kinds/referenceModel.ts) moves the folder into the cache when this returns.
import { loadNative } from "../native/loadAddon.js";
import { buildReferenceModel } from "../reference/buildReferenceModel.js";
import { referenceBuildFolder, referenceDir } from "../../core/reference/referenceCache.js";
import { recipeHash, referenceRecipe } from "../../core/reference/referenceRecipe.js";
import { readSotuAddresses } from "../../core/reference/sotuCorpus.js";
import { defineRunner } from "../Runner.js";

export default defineRunner("reference.build", async (params, context) => {
  const recipe = referenceRecipe(params.variant);
  const addresses = readSotuAddresses();
  const hash = recipeHash(recipe, addresses);
  const { addon, llama } = await loadNative();
  context.log("info", `building reference model ${recipe.variant}-${hash}`);
  return buildReferenceModel({
    recipe,
    hash,
    addresses,
    workDir: context.tempPath(referenceBuildFolder),
    finalDir: referenceDir(context.dataDir, recipe.variant, hash),
    addon,
    llama,
    signal: context.signal,
    progress: (fraction, step, eta) => context.progress(fraction, step, eta),
    metrics: (points) => context.metrics(points),
    log: (message) => context.log("info", message),
  });
});
