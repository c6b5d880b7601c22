// Text sets: calibration or evaluation text files kept in the data dir, identified by content hash.
import type { Db } from "./Store.js";
import { newId, now } from "./ids.js";

export type TextSetPurpose = "calibration" | "evaluation" | "any";

export interface TextSet {
  id: string;
  name: string;
  purpose: TextSetPurpose;
  sha256: string;
  path: string;
  bytes: number;
  createdAt: string;
}

export type NewTextSet = Omit<TextSet, "id" | "createdAt"> & Partial<Pick<TextSet, "id" | "createdAt">>;

interface TextSetRow {
  id: string;
  name: string;
  purpose: TextSetPurpose;
  sha256: string;
  path: string;
  bytes: number;
  created_at: string;
}

function toTextSet(row: TextSetRow): TextSet {
  return {
    id: row.id,
    name: row.name,
    purpose: row.purpose,
    sha256: row.sha256,
    path: row.path,
    bytes: row.bytes,
    createdAt: row.created_at,
  };
}

export function insertTextSet(db: Db, textSet: NewTextSet): TextSet {
  const full: TextSet = { id: newId(), createdAt: now(), ...textSet };
  db.prepare(
    `INSERT INTO text_sets (id, name, purpose, sha256, path, bytes, created_at)
     VALUES (@id, @name, @purpose, @sha256, @path, @bytes, @createdAt)`,
  ).run(full);
  return full;
}

export function getTextSet(db: Db, id: string): TextSet | undefined {
  const row = db.prepare("SELECT * FROM text_sets WHERE id = ?").get(id) as TextSetRow | undefined;
  return row && toTextSet(row);
}

export function getTextSetBySha256(db: Db, sha256: string): TextSet | undefined {
  const row = db.prepare("SELECT * FROM text_sets WHERE sha256 = ?").get(sha256) as TextSetRow | undefined;
  return row && toTextSet(row);
}

export function listTextSets(db: Db): TextSet[] {
  return (db.prepare("SELECT * FROM text_sets ORDER BY created_at DESC, id").all() as TextSetRow[]).map(
    toTextSet,
  );
}

export function deleteTextSet(db: Db, id: string): boolean {
  return db.prepare("DELETE FROM text_sets WHERE id = ?").run(id).changes > 0;
}
