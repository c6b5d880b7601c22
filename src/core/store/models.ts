// Rows of the model library. A model is a GGUF file referenced in place; a derived one also has a
// variants row (see variants.ts) naming its parent and recipe, which these reads join in.
import type { Db } from "./Store.js";
import {
  modelMetadata,
  type ModelMetadata,
  type ModelRecord,
  type ModelSummary,
} from "../../shared/domain/model.js";

export interface NewModel {
  id: string;
  path: string;
  fileName: string;
  sizeBytes: number;
  sha256: string;
  metadata: ModelMetadata;
  importedAt: string;
}

interface ModelRow {
  id: string;
  path: string;
  file_name: string;
  size_bytes: number;
  sha256: string;
  metadata_json: string;
  imported_at: string;
  parent_id: string | null;
  recipe_json: string | null;
}

const selectModel = `
  SELECT m.id, m.path, m.file_name, m.size_bytes, m.sha256, m.metadata_json, m.imported_at,
         v.parent_id, v.recipe_json
  FROM models m LEFT JOIN variants v ON v.model_id = m.id`;

function toRecord(row: ModelRow): ModelRecord {
  return {
    id: row.id,
    path: row.path,
    fileName: row.file_name,
    sizeBytes: row.size_bytes,
    sha256: row.sha256,
    importedAt: row.imported_at,
    parentId: row.parent_id,
    recipe: row.recipe_json === null ? null : (JSON.parse(row.recipe_json) as unknown),
    metadata: modelMetadata.parse(JSON.parse(row.metadata_json)),
  };
}

export function toSummary(record: ModelRecord): ModelSummary {
  const { tensors: _tensors, ...metadata } = record.metadata;
  return { ...record, metadata };
}

export function insertModel(db: Db, model: NewModel): void {
  db.prepare(
    `INSERT INTO models (id, path, file_name, size_bytes, sha256, architecture, parameter_count, file_type, metadata_json, imported_at)
     VALUES (@id, @path, @fileName, @sizeBytes, @sha256, @architecture, @parameterCount, @fileType, @metadataJson, @importedAt)`,
  ).run({
    id: model.id,
    path: model.path,
    fileName: model.fileName,
    sizeBytes: model.sizeBytes,
    sha256: model.sha256,
    architecture: model.metadata.architecture,
    parameterCount: model.metadata.parameterCount,
    fileType: model.metadata.fileType,
    metadataJson: JSON.stringify(model.metadata),
    importedAt: model.importedAt,
  });
}

export function getModelById(db: Db, id: string): ModelRecord | undefined {
  const row = db.prepare(`${selectModel} WHERE m.id = ?`).get(id) as ModelRow | undefined;
  return row && toRecord(row);
}

export function getModelBySha256(db: Db, sha256: string): ModelRecord | undefined {
  const row = db.prepare(`${selectModel} WHERE m.sha256 = ?`).get(sha256) as ModelRow | undefined;
  return row && toRecord(row);
}

/** Newest first. */
export function listModelRecords(db: Db): ModelRecord[] {
  const rows = db.prepare(`${selectModel} ORDER BY m.imported_at DESC, m.id`).all() as ModelRow[];
  return rows.map(toRecord);
}

/**
 * Models a user-typed reference could mean, best match kind first: exact id, then exact path, then
 * file name, then id prefix. The caller decides what to do with several matches.
 */
export function findModels(db: Db, ref: string, absolutePath: string): ModelRecord[] {
  const exact = db
    .prepare(`${selectModel} WHERE m.id = ? OR m.path = ?`)
    .all(ref, absolutePath) as ModelRow[];
  if (exact.length > 0) return exact.map(toRecord);
  const byName = db.prepare(`${selectModel} WHERE m.file_name = ?`).all(ref) as ModelRow[];
  if (byName.length > 0) return byName.map(toRecord);
  const escaped = ref.replace(/[\\%_]/g, (c) => `\\${c}`);
  const byPrefix = db
    .prepare(`${selectModel} WHERE m.id LIKE ? ESCAPE '\\' OR m.sha256 LIKE ? ESCAPE '\\'`)
    .all(`${escaped}%`, `${escaped}%`) as ModelRow[];
  return byPrefix.map(toRecord);
}

export function updateModelPath(db: Db, id: string, path: string, fileName: string): void {
  db.prepare("UPDATE models SET path = ?, file_name = ? WHERE id = ?").run(path, fileName, id);
}

/** Deletes the row; variants, runs and artifacts of the model go with it (ON DELETE CASCADE). */
export function deleteModel(db: Db, id: string): boolean {
  return db.prepare("DELETE FROM models WHERE id = ?").run(id).changes > 0;
}
