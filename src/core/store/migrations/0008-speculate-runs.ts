// Speculative decoding measurements (cwb speculate) are runs of their own kind: one run per target
// and draft pair, on the target model, with the draft named in its settings. SQLite cannot change a
// CHECK constraint in place, so the runs table is rebuilt (foreign keys off, checked after).
import type { Migration } from "./Migration.js";

export const migration0008SpeculateRuns: Migration = {
  version: 8,
  name: "speculate-runs",
  rebuildsTables: true,
  up: `
    CREATE TABLE runs_new (
      id             TEXT PRIMARY KEY,
      kind           TEXT NOT NULL CHECK (kind IN ('bench', 'eval', 'layers', 'speculate')),
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
    INSERT INTO runs_new SELECT id, kind, model_id, base_model_id, text_set_id, experiment_id, job_id,
      machine_id, llama_build, node_llama_cpp, settings_json, details_json, created_at FROM runs;
    DROP TABLE runs;
    ALTER TABLE runs_new RENAME TO runs;
    CREATE INDEX runs_model ON runs(model_id, kind);
  `,
};
