// A variant's chain back to its original, read from the library: each model names its parent and
// the recipe that made it (core/jobs/kinds/*: quantize, prune, distill). The recipe is stored JSON
// that may come from an older version, so each kind is recognised by its own fields, defensively.
import { z } from "zod";

/** What the chain needs of a model (a ModelRecord or ModelSummary has it). */
export interface LineageModel {
  readonly id: string;
  readonly fileName: string;
  readonly parentId: string | null;
  readonly recipe: unknown;
}

export const lineageStepKind = z.enum(["original", "pruned", "distilled", "quantized", "derived"]);
export type LineageStepKind = z.infer<typeof lineageStepKind>;

export const lineageStep = z.object({
  modelId: z.string(),
  fileName: z.string(),
  kind: lineageStepKind,
  /** How this model was made from the previous step, in words ("" for the original). */
  detail: z.string(),
});
export type LineageStep = z.infer<typeof lineageStep>;

const shortHash = (sha256: string): string => sha256.slice(0, 12);

const quantizeRecipe = z.object({
  type: z.string(),
  ftype: z.number(),
  imatrix: z.object({ path: z.string(), sha256: z.string() }).nullable().optional(),
});
const layerPruneRecipe = z.object({
  dropped: z.array(z.number()),
  originalBlockCount: z.number(),
});
const keep = z.object({ kind: z.string(), value: z.number() }).nullable().optional();
const widthPruneRecipe = z.object({ method: z.literal("width"), ffnKeep: keep, headsKeep: keep });
const distillRecipe = z.object({
  teacher: z.object({ modelId: z.string().nullable().optional(), sha256: z.string() }),
  text: z.object({ sha256: z.string() }),
  loss: z.object({
    final: z.number(),
    heldoutEnd: z.object({ kld: z.number(), kldStdErr: z.number() }).nullable(),
  }),
  steps: z.number(),
  settings: z.object({ alpha: z.number(), temperature: z.number() }).partial().optional(),
});

function describeKeep(what: string, amount: z.infer<typeof keep>): string | null {
  if (!amount) return null;
  return amount.kind === "fraction"
    ? `${what} ${Math.round(amount.value * 100)} % kept`
    : `${what} ${amount.value} kept`;
}

/** The kind and the words of one recipe; `teacherName` finds a teacher's file name by model id. */
export function describeRecipe(
  recipe: unknown,
  teacherName: (modelId: string) => string | undefined = () => undefined,
): { kind: LineageStepKind; detail: string } {
  const distill = distillRecipe.safeParse(recipe);
  if (distill.success) {
    const r = distill.data;
    const teacher = (r.teacher.modelId && teacherName(r.teacher.modelId)) ?? shortHash(r.teacher.sha256);
    const heldout = r.loss.heldoutEnd
      ? `, held-out KLD ${r.loss.heldoutEnd.kld.toFixed(4)} ± ${(1.96 * r.loss.heldoutEnd.kldStdErr).toFixed(4)}`
      : "";
    const alpha = r.settings?.alpha ?? 0;
    const loss = alpha === 0 ? "soft targets" : alpha === 1 ? "hard labels" : `soft targets, α ${alpha}`;
    return {
      kind: "distilled",
      detail: `teacher ${teacher}, data ${shortHash(r.text.sha256)}, ${loss}, final loss ${r.loss.final.toFixed(4)}${heldout}, ${r.steps} steps`,
    };
  }
  const width = widthPruneRecipe.safeParse(recipe);
  if (width.success) {
    const parts = [describeKeep("FFN", width.data.ffnKeep), describeKeep("heads", width.data.headsKeep)];
    return { kind: "pruned", detail: `width: ${parts.filter(Boolean).join(", ") || "unchanged"}` };
  }
  const layers = layerPruneRecipe.safeParse(recipe);
  if (layers.success) {
    const { dropped, originalBlockCount } = layers.data;
    return {
      kind: "pruned",
      detail: `dropped block${dropped.length === 1 ? "" : "s"} ${dropped.join(", ")} of ${originalBlockCount}`,
    };
  }
  const quantize = quantizeRecipe.safeParse(recipe);
  if (quantize.success) {
    const im = quantize.data.imatrix;
    return {
      kind: "quantized",
      detail: `${quantize.data.type}, ${im ? `imatrix ${shortHash(im.sha256)}` : "no imatrix"}`,
    };
  }
  return { kind: "derived", detail: "recipe not recognised" };
}

/**
 * The chain from the original to `modelId`, original first. A parent no longer in the library ends
 * the chain there (its step is then the oldest known); a cycle cannot loop.
 */
export function modelLineage(modelId: string, find: (id: string) => LineageModel | undefined): LineageStep[] {
  const chain: LineageModel[] = [];
  const seen = new Set<string>();
  for (let m = find(modelId); m && !seen.has(m.id); m = m.parentId ? find(m.parentId) : undefined) {
    seen.add(m.id);
    chain.unshift(m);
  }
  const teacherName = (id: string) => find(id)?.fileName;
  return chain.map((m, i) => {
    if (i === 0 && m.parentId === null)
      return { modelId: m.id, fileName: m.fileName, kind: "original", detail: "" };
    return { modelId: m.id, fileName: m.fileName, ...describeRecipe(m.recipe, teacherName) };
  });
}

/** One line per step, for text output: "original → pruned (…) → distilled (…) → quantized (…)". */
export function describeLineage(steps: readonly LineageStep[]): string[] {
  return steps.map((s) => (s.detail ? `${s.kind} (${s.detail}): ${s.fileName}` : `${s.kind}: ${s.fileName}`));
}
