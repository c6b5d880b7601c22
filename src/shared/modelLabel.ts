// How a model is named in lists and tables. Variants of one base share its GGUF name
// ("cwb-reference"), so the name alone cannot tell rows apart: the label adds what makes the model
// what it is, from its recipe (Q4_K_M with an importance matrix, 2 blocks dropped, distilled) or,
// for a model without one, its file type (F32, Q8_0).
import type { ModelSummary } from "./domain/model.js";

type Labelled = Pick<ModelSummary, "fileName" | "recipe"> & {
  metadata: Pick<ModelSummary["metadata"], "name" | "fileType">;
};

function field(recipe: unknown, key: string): unknown {
  return typeof recipe === "object" && recipe !== null ? (recipe as Record<string, unknown>)[key] : undefined;
}

/** The recipe in a few words, or null when it says nothing readable (older or foreign recipes). */
export function recipeTag(recipe: unknown): string | null {
  const type = field(recipe, "type");
  if (typeof type === "string") {
    const imatrix = field(recipe, "imatrix");
    const overrides = field(recipe, "tensorTypes");
    return [
      type,
      imatrix ? "imatrix" : null,
      Array.isArray(overrides) && overrides.length > 0 ? `${overrides.length} overrides` : null,
    ]
      .filter(Boolean)
      .join(" + ");
  }
  if (field(recipe, "method") === "width") return "width-pruned";
  const dropped = field(recipe, "dropped");
  if (Array.isArray(dropped)) return `${dropped.length} block${dropped.length === 1 ? "" : "s"} dropped`;
  if (field(recipe, "teacher") !== undefined) return "distilled";
  return null;
}

/** The file type without llama.cpp's prefixes: "MOSTLY_Q4_K_M" → "Q4_K_M", "ALL_F32" → "F32". */
export function shortFileType(fileType: string | null): string | null {
  return fileType ? fileType.replace(/^(MOSTLY|ALL)_/, "") : null;
}

/** The model's name alone (the GGUF's general.name, else its file name). */
export function modelName(model: Labelled): string {
  return model.metadata.name ?? model.fileName;
}

/** The name and what distinguishes this model: "cwb-reference · Q4_K_M + imatrix". */
export function modelLabel(model: Labelled): string {
  const tag = recipeTag(model.recipe) ?? shortFileType(model.metadata.fileType);
  return tag ? `${modelName(model)} · ${tag}` : modelName(model);
}
