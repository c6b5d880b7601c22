// Free-form labels and notes users attach to models, experiments and runs.
import type { Db } from "./Store.js";
import { now } from "./ids.js";

export type TaggableEntity = "model" | "experiment" | "run";

export interface Note {
  id: number;
  entityType: TaggableEntity;
  entityId: string;
  text: string;
  createdAt: string;
}

/** Adding a tag twice is a no-op. */
export function addTag(db: Db, entityType: TaggableEntity, entityId: string, tag: string): void {
  db.prepare("INSERT OR IGNORE INTO tags (entity_type, entity_id, tag) VALUES (?, ?, ?)").run(
    entityType,
    entityId,
    tag,
  );
}

export function removeTag(db: Db, entityType: TaggableEntity, entityId: string, tag: string): boolean {
  return (
    db
      .prepare("DELETE FROM tags WHERE entity_type = ? AND entity_id = ? AND tag = ?")
      .run(entityType, entityId, tag).changes > 0
  );
}

export function listTags(db: Db, entityType: TaggableEntity, entityId: string): string[] {
  const rows = db
    .prepare("SELECT tag FROM tags WHERE entity_type = ? AND entity_id = ? ORDER BY tag")
    .all(entityType, entityId) as { tag: string }[];
  return rows.map((row) => row.tag);
}

export function findByTag(db: Db, entityType: TaggableEntity, tag: string): string[] {
  const rows = db
    .prepare("SELECT entity_id FROM tags WHERE entity_type = ? AND tag = ? ORDER BY entity_id")
    .all(entityType, tag) as { entity_id: string }[];
  return rows.map((row) => row.entity_id);
}

export function addNote(db: Db, entityType: TaggableEntity, entityId: string, text: string): Note {
  const createdAt = now();
  const result = db
    .prepare("INSERT INTO notes (entity_type, entity_id, text, created_at) VALUES (?, ?, ?, ?)")
    .run(entityType, entityId, text, createdAt);
  return { id: Number(result.lastInsertRowid), entityType, entityId, text, createdAt };
}

export function listNotes(db: Db, entityType: TaggableEntity, entityId: string): Note[] {
  const rows = db
    .prepare(
      "SELECT id, entity_type, entity_id, text, created_at FROM notes WHERE entity_type = ? AND entity_id = ? ORDER BY id",
    )
    .all(entityType, entityId) as {
    id: number;
    entity_type: TaggableEntity;
    entity_id: string;
    text: string;
    created_at: string;
  }[];
  return rows.map((row) => ({
    id: row.id,
    entityType: row.entity_type,
    entityId: row.entity_id,
    text: row.text,
    createdAt: row.created_at,
  }));
}

export function deleteNote(db: Db, id: number): boolean {
  return db.prepare("DELETE FROM notes WHERE id = ?").run(id).changes > 0;
}

/** Tags and notes have no foreign key (they point at several tables): clear them with their entity. */
export function deleteTagsAndNotes(db: Db, entityType: TaggableEntity, entityId: string): void {
  db.prepare("DELETE FROM tags WHERE entity_type = ? AND entity_id = ?").run(entityType, entityId);
  db.prepare("DELETE FROM notes WHERE entity_type = ? AND entity_id = ?").run(entityType, entityId);
}
