// Artifacts of kind 'distill-data': the data sets of sequence-level distillation (a teacher's
// continuations of prompts, and their mixes with real text). SQLite cannot change a CHECK, so the
// table is rebuilt (same columns, new list of kinds), its rows copied and its index made again.
import type { Migration } from "./Migration.js";

export const migration0007DistillDataArtifacts: Migration = {
  version: 7,
  name: "distill-data-artifacts",
  rebuildsTables: true,
  up: `
    CREATE TABLE artifacts_new (
      id            TEXT PRIMARY KEY,
      kind          TEXT NOT NULL CHECK (kind IN ('imatrix', 'base-logits', 'report', 'distill-data')),
      path          TEXT NOT NULL,
      sha256        TEXT,
      bytes         INTEGER NOT NULL,
      model_id      TEXT REFERENCES models(id) ON DELETE CASCADE,
      text_set_id   TEXT REFERENCES text_sets(id) ON DELETE SET NULL,
      settings_json TEXT NOT NULL DEFAULT '{}',
      job_id        TEXT REFERENCES jobs(id) ON DELETE SET NULL,
      created_at    TEXT NOT NULL
    );
    INSERT INTO artifacts_new SELECT id, kind, path, sha256, bytes, model_id, text_set_id, settings_json, job_id, created_at FROM artifacts;
    DROP TABLE artifacts;
    ALTER TABLE artifacts_new RENAME TO artifacts;
    CREATE INDEX artifacts_model ON artifacts(model_id, kind);
  `,
};
