// The first schema: the model library, lineage of derived variants, jobs, measured runs and their
// metrics, text sets, artifacts (importance matrices, base-logit caches), experiments, tags, notes.
import type { Migration } from "./Migration.js";

export const migration0001Initial: Migration = {
  version: 1,
  name: "initial",
  up: `
    CREATE TABLE models (
      id              TEXT PRIMARY KEY,
      path            TEXT NOT NULL,
      file_name       TEXT NOT NULL,
      size_bytes      INTEGER NOT NULL,
      sha256          TEXT NOT NULL UNIQUE,
      architecture    TEXT NOT NULL,
      parameter_count INTEGER NOT NULL,
      file_type       TEXT,
      metadata_json   TEXT NOT NULL,
      imported_at     TEXT NOT NULL
    );

    -- A variant is a model in the library that was derived from a parent by a recipe.
    CREATE TABLE variants (
      model_id        TEXT PRIMARY KEY REFERENCES models(id) ON DELETE CASCADE,
      parent_id       TEXT REFERENCES models(id) ON DELETE SET NULL,
      recipe_kind     TEXT NOT NULL CHECK (recipe_kind IN ('quantize', 'prune', 'distill', 'train')),
      recipe_json     TEXT NOT NULL,
      llama_build     TEXT NOT NULL,
      text_set_id     TEXT REFERENCES text_sets(id) ON DELETE SET NULL,
      imatrix_id      TEXT REFERENCES artifacts(id) ON DELETE SET NULL,
      job_id          TEXT REFERENCES jobs(id) ON DELETE SET NULL,
      experiment_id   TEXT REFERENCES experiments(id) ON DELETE SET NULL,
      created_at      TEXT NOT NULL
    );
    CREATE INDEX variants_parent ON variants(parent_id);

    CREATE TABLE text_sets (
      id          TEXT PRIMARY KEY,
      name        TEXT NOT NULL,
      purpose     TEXT NOT NULL CHECK (purpose IN ('calibration', 'evaluation', 'any')),
      sha256      TEXT NOT NULL UNIQUE,
      path        TEXT NOT NULL,
      bytes       INTEGER NOT NULL,
      created_at  TEXT NOT NULL
    );

    -- Files the engine produces besides models: importance matrices, cached base distributions.
    CREATE TABLE artifacts (
      id            TEXT PRIMARY KEY,
      kind          TEXT NOT NULL CHECK (kind IN ('imatrix', 'base-logits', 'report')),
      path          TEXT NOT NULL,
      sha256        TEXT,
      bytes         INTEGER NOT NULL,
      model_id      TEXT REFERENCES models(id) ON DELETE CASCADE,
      text_set_id   TEXT REFERENCES text_sets(id) ON DELETE SET NULL,
      settings_json TEXT NOT NULL DEFAULT '{}',
      job_id        TEXT REFERENCES jobs(id) ON DELETE SET NULL,
      created_at    TEXT NOT NULL
    );
    CREATE INDEX artifacts_model ON artifacts(model_id, kind);

    CREATE TABLE experiments (
      id            TEXT PRIMARY KEY,
      name          TEXT NOT NULL,
      kind          TEXT NOT NULL,
      base_model_id TEXT REFERENCES models(id) ON DELETE SET NULL,
      recipe_json   TEXT NOT NULL,
      machine_id    TEXT REFERENCES machines(id),
      created_at    TEXT NOT NULL
    );

    CREATE TABLE jobs (
      id            TEXT PRIMARY KEY,
      kind          TEXT NOT NULL,
      params_json   TEXT NOT NULL,
      state         TEXT NOT NULL CHECK (state IN ('queued', 'running', 'succeeded', 'failed', 'cancelled', 'interrupted')),
      progress_json TEXT,
      result_json   TEXT,
      error         TEXT,
      experiment_id TEXT REFERENCES experiments(id) ON DELETE CASCADE,
      depends_on    TEXT REFERENCES jobs(id) ON DELETE SET NULL,
      created_at    TEXT NOT NULL,
      started_at    TEXT,
      finished_at   TEXT
    );
    CREATE INDEX jobs_state ON jobs(state);

    CREATE TABLE job_logs (
      id       INTEGER PRIMARY KEY AUTOINCREMENT,
      job_id   TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
      at       TEXT NOT NULL,
      level    TEXT NOT NULL CHECK (level IN ('info', 'warn', 'error')),
      message  TEXT NOT NULL
    );
    CREATE INDEX job_logs_job ON job_logs(job_id, id);

    -- A machine fingerprint: runs are comparable only on the same machine and build.
    CREATE TABLE machines (
      id          TEXT PRIMARY KEY,
      cpu         TEXT NOT NULL,
      cores       INTEGER NOT NULL,
      ram_bytes   INTEGER NOT NULL,
      gpu         TEXT,
      os          TEXT NOT NULL,
      details_json TEXT NOT NULL
    );

    -- One measurement session of one model: a benchmark or an evaluation.
    CREATE TABLE runs (
      id             TEXT PRIMARY KEY,
      kind           TEXT NOT NULL CHECK (kind IN ('bench', 'eval', 'layers')),
      model_id       TEXT NOT NULL REFERENCES models(id) ON DELETE CASCADE,
      base_model_id  TEXT REFERENCES models(id) ON DELETE SET NULL,
      text_set_id    TEXT REFERENCES text_sets(id) ON DELETE SET NULL,
      experiment_id  TEXT REFERENCES experiments(id) ON DELETE SET NULL,
      job_id         TEXT REFERENCES jobs(id) ON DELETE SET NULL,
      machine_id     TEXT NOT NULL REFERENCES machines(id),
      llama_build    TEXT NOT NULL,
      node_llama_cpp TEXT NOT NULL,
      settings_json  TEXT NOT NULL,
      details_json   TEXT NOT NULL DEFAULT '{}',
      created_at     TEXT NOT NULL
    );
    CREATE INDEX runs_model ON runs(model_id, kind);

    CREATE TABLE metrics (
      run_id  TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
      name    TEXT NOT NULL,
      value   REAL NOT NULL,
      unit    TEXT NOT NULL,
      stddev  REAL,
      samples INTEGER,
      PRIMARY KEY (run_id, name)
    );

    CREATE TABLE tags (
      entity_type TEXT NOT NULL CHECK (entity_type IN ('model', 'experiment', 'run')),
      entity_id   TEXT NOT NULL,
      tag         TEXT NOT NULL,
      PRIMARY KEY (entity_type, entity_id, tag)
    );

    CREATE TABLE notes (
      id          INTEGER PRIMARY KEY AUTOINCREMENT,
      entity_type TEXT NOT NULL CHECK (entity_type IN ('model', 'experiment', 'run')),
      entity_id   TEXT NOT NULL,
      text        TEXT NOT NULL,
      created_at  TEXT NOT NULL
    );
    CREATE INDEX notes_entity ON notes(entity_type, entity_id);
  `,
};
