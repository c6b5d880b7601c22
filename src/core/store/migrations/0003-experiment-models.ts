// Which models an experiment compares. A re-run reuses variants made by an earlier experiment, so
// membership cannot live on the variant row (variants.experiment_id records who made it).
import type { Migration } from "./Migration.js";

export const migration0003ExperimentModels: Migration = {
  version: 3,
  name: "experiment-models",
  up: `
    CREATE TABLE experiment_models (
      experiment_id TEXT NOT NULL REFERENCES experiments(id) ON DELETE CASCADE,
      model_id      TEXT NOT NULL REFERENCES models(id) ON DELETE CASCADE,
      label         TEXT NOT NULL,
      position      INTEGER NOT NULL,
      PRIMARY KEY (experiment_id, model_id)
    );
    CREATE INDEX experiment_models_model ON experiment_models(model_id);
  `,
};
