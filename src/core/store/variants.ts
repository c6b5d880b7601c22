// Lineage: a variant is a library model derived from a parent by a recipe (quantize, prune, ...).
// The model row is written first (store/models.ts), then this row, in the same transaction.
import type { Db } from "./Store.js";

export type RecipeKind = "quantize" | "prune" | "distill" | "train";

export interface Variant {
  modelId: string;
  parentId: string | null;
  recipeKind: RecipeKind;
  recipe: unknown;
  /** llama.cpp build that produced the file, e.g. "b6500" — results are only comparable per build. */
  llamaBuild: string;
  textSetId: string | null;
  imatrixId: string | null;
  jobId: string | null;
  experimentId: string | null;
  createdAt: string;
}

export type NewVariant = Pick<Variant, "modelId" | "parentId" | "recipeKind" | "recipe" | "llamaBuild"> &
  Partial<Pick<Variant, "textSetId" | "imatrixId" | "jobId" | "experimentId" | "createdAt">>;

interface VariantRow {
  model_id: string;
  parent_id: string | null;
  recipe_kind: RecipeKind;
  recipe_json: string;
  llama_build: string;
  text_set_id: string | null;
  imatrix_id: string | null;
  job_id: string | null;
  experiment_id: string | null;
  created_at: string;
}

function toVariant(row: VariantRow): Variant {
  return {
    modelId: row.model_id,
    parentId: row.parent_id,
    recipeKind: row.recipe_kind,
    recipe: JSON.parse(row.recipe_json) as unknown,
    llamaBuild: row.llama_build,
    textSetId: row.text_set_id,
    imatrixId: row.imatrix_id,
    jobId: row.job_id,
    experimentId: row.experiment_id,
    createdAt: row.created_at,
  };
}

export function insertVariant(db: Db, variant: NewVariant): Variant {
  const full: Variant = {
    textSetId: null,
    imatrixId: null,
    jobId: null,
    experimentId: null,
    createdAt: new Date().toISOString(),
    ...variant,
  };
  db.prepare(
    `INSERT INTO variants (model_id, parent_id, recipe_kind, recipe_json, llama_build, text_set_id, imatrix_id, job_id, experiment_id, created_at)
     VALUES (@modelId, @parentId, @recipeKind, @recipeJson, @llamaBuild, @textSetId, @imatrixId, @jobId, @experimentId, @createdAt)`,
  ).run({ ...full, recipeJson: JSON.stringify(full.recipe ?? null) });
  return full;
}

export function getVariant(db: Db, modelId: string): Variant | undefined {
  const row = db.prepare("SELECT * FROM variants WHERE model_id = ?").get(modelId) as VariantRow | undefined;
  return row && toVariant(row);
}

/** Variants derived directly from `parentId`, oldest first. */
export function listChildVariants(db: Db, parentId: string): Variant[] {
  const rows = db
    .prepare("SELECT * FROM variants WHERE parent_id = ? ORDER BY created_at, model_id")
    .all(parentId) as VariantRow[];
  return rows.map(toVariant);
}

/** The chain of ancestors of `modelId`, nearest first (parent, grandparent, ...). */
export function listAncestors(db: Db, modelId: string): string[] {
  const rows = db
    .prepare(
      `WITH RECURSIVE chain(id, depth) AS (
         SELECT parent_id, 1 FROM variants WHERE model_id = ? AND parent_id IS NOT NULL
         UNION ALL
         SELECT v.parent_id, c.depth + 1 FROM variants v JOIN chain c ON v.model_id = c.id
         WHERE v.parent_id IS NOT NULL AND c.depth < 100
       )
       SELECT id FROM chain ORDER BY depth`,
    )
    .all(modelId) as { id: string }[];
  return rows.map((row) => row.id);
}
