// Experiments: a named batch of work (e.g. "quantize to Q4_K_M, Q5_K_M, Q8_0 and compare") whose
// jobs, variants and runs point back here.
import type { Db } from "./Store.js";
import { newId, now } from "./ids.js";

export interface Experiment {
  id: string;
  name: string;
  kind: string;
  baseModelId: string | null;
  recipe: unknown;
  machineId: string | null;
  createdAt: string;
}

export type NewExperiment = Pick<Experiment, "name" | "kind" | "recipe"> &
  Partial<Omit<Experiment, "name" | "kind" | "recipe">>;

interface ExperimentRow {
  id: string;
  name: string;
  kind: string;
  base_model_id: string | null;
  recipe_json: string;
  machine_id: string | null;
  created_at: string;
}

function toExperiment(row: ExperimentRow): Experiment {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    baseModelId: row.base_model_id,
    recipe: JSON.parse(row.recipe_json) as unknown,
    machineId: row.machine_id,
    createdAt: row.created_at,
  };
}

export function insertExperiment(db: Db, experiment: NewExperiment): Experiment {
  const full: Experiment = {
    id: newId(),
    baseModelId: null,
    machineId: null,
    createdAt: now(),
    ...experiment,
  };
  db.prepare(
    `INSERT INTO experiments (id, name, kind, base_model_id, recipe_json, machine_id, created_at)
     VALUES (@id, @name, @kind, @baseModelId, @recipeJson, @machineId, @createdAt)`,
  ).run({ ...full, recipeJson: JSON.stringify(full.recipe ?? null) });
  return full;
}

export function getExperiment(db: Db, id: string): Experiment | undefined {
  const row = db.prepare("SELECT * FROM experiments WHERE id = ?").get(id) as ExperimentRow | undefined;
  return row && toExperiment(row);
}

export function listExperiments(db: Db): Experiment[] {
  return (db.prepare("SELECT * FROM experiments ORDER BY created_at DESC, id").all() as ExperimentRow[]).map(
    toExperiment,
  );
}

export function renameExperiment(db: Db, id: string, name: string): boolean {
  return db.prepare("UPDATE experiments SET name = ? WHERE id = ?").run(name, id).changes > 0;
}

export function deleteExperiment(db: Db, id: string): boolean {
  return db.prepare("DELETE FROM experiments WHERE id = ?").run(id).changes > 0;
}

export interface ExperimentModel {
  modelId: string;
  label: string;
  position: number;
}

/** Adds a model to what the experiment compares (idempotent: a re-run keeps the first label/position). */
export function addExperimentModel(db: Db, experimentId: string, model: ExperimentModel): void {
  db.prepare(
    `INSERT INTO experiment_models (experiment_id, model_id, label, position) VALUES (?, ?, ?, ?)
     ON CONFLICT (experiment_id, model_id) DO NOTHING`,
  ).run(experimentId, model.modelId, model.label, model.position);
}

export function listExperimentModels(db: Db, experimentId: string): ExperimentModel[] {
  return db
    .prepare(
      "SELECT model_id AS modelId, label, position FROM experiment_models WHERE experiment_id = ? ORDER BY position",
    )
    .all(experimentId) as ExperimentModel[];
}
