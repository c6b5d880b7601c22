// Reading and removing library entries by the references people type: an id, an id or sha256
// prefix, a file name, or a path.
import { unlink } from "node:fs/promises";
import path from "node:path";
import type { ModelRecord, ModelSummary } from "../../shared/domain/model.js";
import type { Db } from "../store/Store.js";
import { deleteModel, findModels, getModelById, listModelRecords, toSummary } from "../store/models.js";
import { modelLineage, type LineageStep } from "../../shared/domain/lineage.js";
import { deleteTagsAndNotes } from "../store/tagsNotes.js";
import { LibraryError } from "./LibraryError.js";

export function listModels(db: Db): ModelSummary[] {
  return listModelRecords(db).map(toSummary);
}

/** The one model `ref` names; LibraryError NOT_FOUND or AMBIGUOUS (listing the candidates) otherwise. */
export function getModel(db: Db, ref: string): ModelRecord {
  const trimmed = ref.trim();
  if (trimmed === "") throw new LibraryError("NOT_FOUND", "No model reference given");
  const matches = findModels(db, trimmed, path.resolve(trimmed));
  if (matches.length === 1) return matches[0]!;
  if (matches.length === 0)
    throw new LibraryError(
      "NOT_FOUND",
      `No model "${trimmed}" in the library (try an id from "cwb models list")`,
    );
  const candidates = matches.map((m) => `${m.id} (${m.path})`).join(", ");
  throw new LibraryError(
    "AMBIGUOUS",
    `"${trimmed}" matches ${matches.length} models: ${candidates}; use a longer id`,
  );
}

/** The chain from the original to the model `ref` names, original first. */
export function modelLineageOf(db: Db, ref: string): LineageStep[] {
  return modelLineage(getModel(db, ref).id, (id) => getModelById(db, id));
}

export interface RemoveResult {
  model: ModelRecord;
  removed: boolean;
  fileDeleted: boolean;
}

/**
 * Forgets a model: its row and, by cascade, its variant row, runs and artifacts rows. The file on
 * disk stays unless `deleteFile` is set; then it is deleted first, so a failed delete leaves the
 * library as it was. A file that is already gone is not an error (fileDeleted: false).
 */
export async function removeModel(
  db: Db,
  ref: string,
  options: { deleteFile?: boolean } = {},
): Promise<RemoveResult> {
  const model = getModel(db, ref);
  let fileDeleted = false;
  if (options.deleteFile) {
    try {
      await unlink(model.path);
      fileDeleted = true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") {
        throw new LibraryError(
          "IO",
          `${model.path}: cannot delete model file: ${(error as Error).message}`,
          model.path,
        );
      }
    }
  }
  const removed = db.transaction(() => {
    deleteTagsAndNotes(db, "model", model.id);
    return deleteModel(db, model.id);
  })();
  return { model, removed, fileDeleted };
}
