// Files the engine produces besides models: importance matrices, cached base logits, reports,
// distillation data sets.
import type { Db } from "./Store.js";
import { newId, now } from "./ids.js";

export type ArtifactKind = "imatrix" | "base-logits" | "report" | "distill-data";

export interface Artifact {
  id: string;
  kind: ArtifactKind;
  path: string;
  sha256: string | null;
  bytes: number;
  modelId: string | null;
  textSetId: string | null;
  settings: Record<string, unknown>;
  jobId: string | null;
  createdAt: string;
}

export type NewArtifact = Pick<Artifact, "kind" | "path" | "bytes"> &
  Partial<Omit<Artifact, "kind" | "path" | "bytes">>;

interface ArtifactRow {
  id: string;
  kind: ArtifactKind;
  path: string;
  sha256: string | null;
  bytes: number;
  model_id: string | null;
  text_set_id: string | null;
  settings_json: string;
  job_id: string | null;
  created_at: string;
}

function toArtifact(row: ArtifactRow): Artifact {
  return {
    id: row.id,
    kind: row.kind,
    path: row.path,
    sha256: row.sha256,
    bytes: row.bytes,
    modelId: row.model_id,
    textSetId: row.text_set_id,
    settings: JSON.parse(row.settings_json) as Record<string, unknown>,
    jobId: row.job_id,
    createdAt: row.created_at,
  };
}

export function insertArtifact(db: Db, artifact: NewArtifact): Artifact {
  const full: Artifact = {
    id: newId(),
    sha256: null,
    modelId: null,
    textSetId: null,
    settings: {},
    jobId: null,
    createdAt: now(),
    ...artifact,
  };
  db.prepare(
    `INSERT INTO artifacts (id, kind, path, sha256, bytes, model_id, text_set_id, settings_json, job_id, created_at)
     VALUES (@id, @kind, @path, @sha256, @bytes, @modelId, @textSetId, @settingsJson, @jobId, @createdAt)`,
  ).run({ ...full, settingsJson: JSON.stringify(full.settings) });
  return full;
}

export function getArtifact(db: Db, id: string): Artifact | undefined {
  const row = db.prepare("SELECT * FROM artifacts WHERE id = ?").get(id) as ArtifactRow | undefined;
  return row && toArtifact(row);
}

/** Newest first, optionally only one model's and/or one kind. */
export function listArtifacts(db: Db, filter: { modelId?: string; kind?: ArtifactKind } = {}): Artifact[] {
  const rows = db
    .prepare(
      `SELECT * FROM artifacts
       WHERE (@modelId IS NULL OR model_id = @modelId) AND (@kind IS NULL OR kind = @kind)
       ORDER BY created_at DESC, id`,
    )
    .all({ modelId: filter.modelId ?? null, kind: filter.kind ?? null }) as ArtifactRow[];
  return rows.map(toArtifact);
}

export function deleteArtifact(db: Db, id: string): boolean {
  return db.prepare("DELETE FROM artifacts WHERE id = ?").run(id).changes > 0;
}
