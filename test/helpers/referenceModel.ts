// The project's reference model for tests: a small llama (4 layers, n_embd 256, n_ff 768, 4,096-piece
// tokenizer, F16) really trained on State of the Union addresses, with held-out calibration.txt and
// eval.txt next to it. Built once by `cwb reference-model` into a data dir shared by every test run
// (.cache/reference-data, gitignored) and reused while its recipe is unchanged; a build in progress
// elsewhere is waited for (the CLI holds a lock). The first build takes a few minutes.
//
//   const ref = await referenceModel();           // ReferenceModelResult
//   ref.modelPath, ref.calibrationText.path, ref.evalText.path
//   await referenceModelPath()                    // just the GGUF path
import path from "node:path";
import {
  referenceModelResult,
  type ReferenceModelResult,
  type ReferenceVariant,
} from "../../src/shared/domain/referenceModel.js";
import { readCachedReference, referenceDir } from "../../src/core/reference/referenceCache.js";
import { recipeHash, referenceRecipe } from "../../src/core/reference/referenceRecipe.js";
import { readSotuAddresses } from "../../src/core/reference/sotuCorpus.js";
import { buildNode, repoRoot, runCwb } from "../cli/runCwb.js";

/** Data dir holding the shared cache (<dir>/reference/<variant>-<hash>/). */
export const referenceDataDir = path.join(repoRoot, ".cache", "reference-data");

/** Generous: the first build trains for minutes on a machine other tests keep busy. */
export const referenceBuildTimeoutMs = 30 * 60_000;

const memo = new Map<ReferenceVariant, Promise<ReferenceModelResult>>();

/** Cached result path lookup only (no build): null while the model does not exist yet. */
export function cachedReferenceModel(variant: ReferenceVariant = "full"): ReferenceModelResult | null {
  const recipe = referenceRecipe(variant);
  return readCachedReference(
    referenceDir(referenceDataDir, variant, recipeHash(recipe, readSotuAddresses())),
  );
}

export function referenceModel(variant: ReferenceVariant = "full"): Promise<ReferenceModelResult> {
  let pending = memo.get(variant);
  if (!pending) {
    pending = (async () => {
      const cached = cachedReferenceModel(variant);
      if (cached) return cached;
      buildNode();
      const args = [
        "reference-model",
        "--data-dir",
        referenceDataDir,
        "--json",
        ...(variant === "quick" ? ["--quick"] : []),
      ];
      const run = await runCwb(args);
      if (run.code !== 0) throw new Error(`cwb ${args.join(" ")} failed (exit ${run.code}):\n${run.stderr}`);
      return referenceModelResult.parse(JSON.parse(run.stdout));
    })();
    memo.set(variant, pending);
    pending.catch(() => memo.delete(variant));
  }
  return pending;
}

export async function referenceModelPath(variant: ReferenceVariant = "full"): Promise<string> {
  return (await referenceModel(variant)).modelPath;
}
