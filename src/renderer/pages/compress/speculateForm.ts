// The Compress screen's "Speculative decoding" step as the user edits it, what is wrong with it, and
// its part of the sweep recipe (docs/speculative.md, "In the loop and in the UI"). Pure functions.
import type { SweepRecipeInput } from "../../../shared/domain/experiment.js";

export interface SpeculateForm {
  readonly on: boolean;
  /** "original" (the base) or one of the sweep's types. */
  readonly target: string;
  /** Empty: every variant but the target. */
  readonly drafts: readonly string[];
  /** One prompt per line. */
  readonly prompts: string;
  readonly maxTokens: number | null;
  readonly draftMax: number | null;
  readonly reps: number | null;
}

export const emptySpeculate: SpeculateForm = {
  on: false,
  target: "original",
  drafts: [],
  prompts: "",
  maxTokens: 32,
  draftMax: 4,
  reps: 2,
};

function promptLines(form: SpeculateForm): string[] {
  return form.prompts
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean);
}

/** What blocks the step, each as a sentence (nothing when the step is off). */
export function speculateProblems(form: SpeculateForm, types: readonly string[]): string[] {
  if (!form.on) return [];
  const problems: string[] = [];
  if (form.target !== "original" && !types.includes(form.target))
    problems.push(`The speculative target ${form.target} is not one of the chosen types.`);
  const others = types.filter((t) => t !== form.target);
  const drafts = form.drafts.length === 0 ? others : form.drafts;
  if (drafts.length === 0 || drafts.some((d) => !others.includes(d)))
    problems.push(
      "Speculative decoding needs at least one chosen type, other than the target, as its draft.",
    );
  if (promptLines(form).length === 0) problems.push("Give at least one prompt for speculative decoding.");
  const whole = (value: number | null, min: number, max: number) =>
    value !== null && Number.isInteger(value) && value >= min && value <= max;
  if (!whole(form.maxTokens, 1, 4096)) problems.push("Speculative tokens per prompt must be 1 to 4096.");
  if (!whole(form.draftMax, 1, 64)) problems.push("The most drafted tokens per round must be 1 to 64.");
  if (!whole(form.reps, 1, 20)) problems.push("Speculative repetitions must be 1 to 20.");
  return problems;
}

export function toSpeculateRecipe(form: SpeculateForm): Pick<SweepRecipeInput, "speculate"> {
  if (!form.on) return { speculate: null };
  return {
    speculate: {
      target: form.target,
      drafts: form.drafts.length === 0 ? "all" : [...form.drafts],
      prompts: promptLines(form),
      maxTokens: form.maxTokens ?? undefined,
      draftMax: form.draftMax ?? undefined,
      reps: form.reps ?? undefined,
    },
  };
}
