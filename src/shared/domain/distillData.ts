// Sequence-level distillation's data (the "distill.data" job): the teacher continues prompts taken
// from a file (one per line, paragraphs, or chunks of a text), sampled with a stated temperature,
// top-p and seed (greedy at temperature 0). The set is stored as a `distill-data` artifact with its
// sha256 and reused when the same teacher, prompts and settings are asked for again
// (docs/distillation.md, "Sequence-level distillation").
import { z } from "zod";
import { jobModelRef } from "./compression.js";
import { threadsSetting } from "./llamaSettings.js";

/** How the prompt file is cut into prompts; "auto": paragraphs when it has a blank line, else lines. */
export const promptSplit = z.enum(["auto", "lines", "paragraphs", "chunks"]);
export type PromptSplit = z.infer<typeof promptSplit>;

export const distillDataSettings = z.object({
  split: promptSplit.default("auto"),
  /** With split "chunks": tokens per prompt, the text cut in consecutive pieces. */
  chunkTokens: z.number().int().min(1).max(4096).default(64),
  /** At most this many prompts, from the start of the file (null: all). */
  maxPrompts: z.number().int().min(1).nullable().default(null),
  /** 0: greedy. */
  temperature: z.number().min(0).max(10).default(0.8),
  topP: z.number().gt(0).max(1).default(0.95),
  /** Prompt i is sampled with seed + i, so a set does not depend on the order prompts run in. */
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 31 - 1 - 1_000_000)
    .default(1),
  /** Tokens generated per prompt at most (fewer when the teacher ends the text). */
  maxTokens: z.number().int().min(1).max(4096).default(128),
  contextSize: z.number().int().min(64).max(65536).default(1024),
  threads: threadsSetting,
});
export type DistillDataSettings = z.output<typeof distillDataSettings>;
export type DistillDataSettingsInput = z.input<typeof distillDataSettings>;

/** A recorded data set: its artifact, file and hash. */
export const distillDataSetRef = z.object({
  artifactId: z.string(),
  path: z.string(),
  sha256: z.string(),
});
export type DistillDataSetRef = z.infer<typeof distillDataSetRef>;

/** What a distillation trained on when its text came from the teacher (recorded in its lineage). */
export const distillDataUse = z.object({
  /** The training text's set: the generated one, or its mix with real text. */
  set: distillDataSetRef,
  generated: distillDataSetRef.extend({ teacherSha256: z.string(), settings: distillDataSettings }),
  /** Share of the training text's bytes the teacher generated: 1 without real text. */
  generatedShare: z.number().gt(0).max(1),
  realText: z.object({ sha256: z.string() }).nullable(),
});
export type DistillDataUse = z.infer<typeof distillDataUse>;

export const distillDataJobParams = z.object({
  teacher: jobModelRef,
  prompts: z.object({ path: z.string(), sha256: z.string(), textSetId: z.string().nullable() }),
  settings: distillDataSettings,
  /** Identifies (format, teacher, prompts, settings); the artifact is found by it. */
  keyId: z.string(),
  /** The set recorded for this key, or null: the worker generates it. */
  cached: distillDataSetRef.nullable(),
});
export type DistillDataJobParams = z.output<typeof distillDataJobParams>;

/** What a data job did, as the worker reports it and the result repeats. */
const generationFacts = z.object({
  bytes: z.number().int(),
  reused: z.boolean(),
  samples: z.number().int(),
  promptTokens: z.number().int(),
  generatedTokens: z.number().int(),
  /** Samples the teacher ended itself (an end-of-text token) before the token cap. */
  endedByTeacher: z.number().int(),
  seconds: z.number(),
});

export const distillDataWorkerValue = generationFacts.extend({
  /** The file written in the job's temp folder, or the cached one. */
  path: z.string(),
  sha256: z.string(),
});

export const distillDataJobResult = distillDataSetRef.extend({
  teacherSha256: z.string(),
  settings: distillDataSettings,
  ...generationFacts.shape,
});
export type DistillDataJobResult = z.infer<typeof distillDataJobResult>;

/** The prompts of a file cut by lines or paragraphs (blank-line separated); empty ones dropped. */
export function splitPrompts(text: string, split: Exclude<PromptSplit, "chunks">): string[] {
  const normalised = text.replace(/\r\n?/g, "\n");
  const mode = split === "auto" ? (/\n[ \t]*\n/.test(normalised.trim()) ? "paragraphs" : "lines") : split;
  const pieces = mode === "lines" ? normalised.split("\n") : normalised.split(/\n[ \t]*\n/);
  return pieces.map((p) => p.trim()).filter((p) => p.length > 0);
}

/** Samples in a data set file are separated by one blank line (a sample's own blank lines are kept). */
export const sampleSeparator = "\n\n";
