// Resolves what an evaluation needs before its job is queued (in the process that owns the
// database): the models (library references, or files imported on the way), the text's hash and text
// set, and whether the base distributions for these settings are already cached.
import { existsSync } from "node:fs";
import path from "node:path";
import { evalSettings, type EvalJobParams, type EvalSettingsInput } from "../../shared/domain/eval.js";
import type { ModelRecord } from "../../shared/domain/model.js";
import { checkSameVocabulary } from "../library/checkSameVocabulary.js";
import { sha256File } from "../library/hashFile.js";
import { importModel } from "../library/importModel.js";
import { LibraryError } from "../library/LibraryError.js";
import { getModel } from "../library/modelLibrary.js";
import type { Db } from "../store/Store.js";
import { getTextSetBySha256 } from "../store/textSets.js";
import { checkTextFile } from "../texts/checkTextFile.js";
import { baseCacheKey, findBaseCache } from "./baseDistributionCache.js";

export interface EvaluationRequestInput {
  /** Library reference (id, prefix, file name) or a GGUF path, imported when not in the library. */
  base: string;
  variants: readonly string[];
  textPath: string;
  settings?: EvalSettingsInput;
}

/** A library model by reference; a GGUF path not in the library is imported first. */
export async function resolveModel(db: Db, ref: string): Promise<ModelRecord> {
  try {
    return getModel(db, ref);
  } catch (error) {
    if (!(error instanceof LibraryError) || error.code !== "NOT_FOUND" || !existsSync(ref)) throw error;
    return (await importModel(db, ref)).model;
  }
}

export async function planEvaluation(db: Db, input: EvaluationRequestInput): Promise<EvalJobParams> {
  const settings = evalSettings.parse(input.settings ?? {});
  const textPath = path.resolve(input.textPath);
  await checkTextFile(textPath);
  const base = await resolveModel(db, input.base);
  const variants: ModelRecord[] = [];
  for (const ref of input.variants) variants.push(await resolveModel(db, ref));
  for (const v of variants) checkSameVocabulary(base, v, "base");
  const { sha256: textSha256 } = await sha256File(textPath);
  const cached = findBaseCache(db, base.id, baseCacheKey(base.sha256, textSha256, settings));
  return {
    base: { modelId: base.id, path: base.path, sha256: base.sha256 },
    variants: variants.map((v) => ({ modelId: v.id, path: v.path })),
    text: { path: textPath, sha256: textSha256, textSetId: getTextSetBySha256(db, textSha256)?.id ?? null },
    settings,
    baseCachePath: cached?.path ?? null,
  };
}
