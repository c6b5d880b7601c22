// Importing a GGUF file into the library: check and read its header, hash it, then record it. The
// first two steps touch no database (inspectModelFile), so a worker process can run them and hand
// the facts to recordModel; importModel does both in-process. Models are referenced where they
// are, never copied.
import { existsSync } from "node:fs";
import { stat } from "node:fs/promises";
import path from "node:path";
import { crashPoint } from "../crashPoint.js";
import type { ModelFileFacts, ModelRecord } from "../../shared/domain/model.js";
import type { Db } from "../store/Store.js";
import { getModelById, getModelBySha256, insertModel, updateModelPath } from "../store/models.js";
import { insertVariant, type NewVariant } from "../store/variants.js";
import { LibraryError } from "./LibraryError.js";
import { sha256File, type HashProgress } from "./hashFile.js";
import { readModelMetadata } from "./readModelMetadata.js";

export interface ImportProgress extends HashProgress {
  phase: "reading-metadata" | "hashing";
}

export interface InspectOptions {
  onProgress?: (progress: ImportProgress) => void;
  signal?: AbortSignal;
}

/** The lineage of a derived model: everything of a variants row except the model id. */
export type Lineage = Omit<NewVariant, "modelId">;

export interface ImportResult {
  model: ModelRecord;
  /** The same content (sha256) was already in the library: that record is returned, nothing added. */
  alreadyPresent: boolean;
  warnings: string[];
}

/** Validates and reads a model file without touching the library. Throws LibraryError. */
export async function inspectModelFile(
  filePath: string,
  options: InspectOptions = {},
): Promise<ModelFileFacts> {
  const absolute = path.resolve(filePath);
  options.onProgress?.({ phase: "reading-metadata", bytesDone: 0, bytesTotal: 0 });
  const read = await readModelMetadata(absolute, { signal: options.signal });

  let hashed;
  try {
    hashed = await sha256File(absolute, {
      signal: options.signal,
      onProgress: (p) => options.onProgress?.({ phase: "hashing", ...p }),
    });
  } catch (error) {
    if (options.signal?.aborted) throw error;
    throw new LibraryError("IO", `${absolute}: cannot read file: ${(error as Error).message}`, absolute);
  }
  const after = await stat(absolute);
  if (hashed.bytes !== read.sizeBytes || after.size !== read.sizeBytes || after.mtimeMs !== read.mtimeMs) {
    throw new LibraryError(
      "CHANGED",
      `${absolute}: the file changed while it was being imported; try again once it is complete`,
      absolute,
    );
  }
  return {
    path: absolute,
    fileName: path.basename(absolute),
    sizeBytes: read.sizeBytes,
    sha256: hashed.sha256,
    metadata: read.metadata,
    warnings: read.warnings,
  };
}

/** Library ids are the start of the content hash: stable across re-imports and typeable. */
export function modelIdFor(sha256: string): string {
  return sha256.slice(0, 12);
}

/**
 * Records inspected facts in one transaction. A file whose content is already present returns the
 * existing record (moving its path here if the old path no longer exists). With `lineage`, a
 * variants row ties the new model to its parent and recipe.
 */
export function recordModel(
  db: Db,
  facts: ModelFileFacts,
  options: { lineage?: Lineage } = {},
): ImportResult {
  return db
    .transaction((): ImportResult => {
      const existing = getModelBySha256(db, facts.sha256);
      if (existing) {
        if (existing.path !== facts.path && !existsSync(existing.path)) {
          updateModelPath(db, existing.id, facts.path, facts.fileName);
          return { model: getModelById(db, existing.id)!, alreadyPresent: true, warnings: facts.warnings };
        }
        return { model: existing, alreadyPresent: true, warnings: facts.warnings };
      }
      const id = modelIdFor(facts.sha256);
      insertModel(db, {
        id,
        path: facts.path,
        fileName: facts.fileName,
        sizeBytes: facts.sizeBytes,
        sha256: facts.sha256,
        metadata: facts.metadata,
        importedAt: new Date().toISOString(),
      });
      crashPoint("record.in-transaction");
      if (options.lineage) insertVariant(db, { ...options.lineage, modelId: id });
      return { model: getModelById(db, id)!, alreadyPresent: false, warnings: facts.warnings };
      // IMMEDIATE: two processes importing the same file serialise here instead of failing on upgrade.
    })
    .immediate();
}

/** inspectModelFile + recordModel. The library is unchanged when this throws. */
export async function importModel(
  db: Db,
  filePath: string,
  options: InspectOptions & { lineage?: Lineage } = {},
): Promise<ImportResult> {
  const facts = await inspectModelFile(filePath, options);
  return recordModel(db, facts, { lineage: options.lineage });
}
