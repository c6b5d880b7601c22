// Distillation (the "distill" job): a student trained on a teacher's next-token distributions at a
// temperature, optionally mixed with the text's own next tokens (docs/distillation.md).
import { z } from "zod";
import { llamaBuild, jobModelRef } from "./compression.js";
import { modelFileFacts, modelRecord } from "./model.js";
import { threadsSetting } from "./llamaSettings.js";
import { trainingContextSize } from "./training.js";
import { distillDataUse } from "./distillData.js";

export const distillSettings = z
  .object({
    /** Tokens per sequence = per optimizer step; a multiple of 256 (llama.cpp's training context). */
    contextSize: trainingContextSize(256),
    /** Micro-batches per step whose gradients are accumulated (contextSize / accumulate tokens each). */
    accumulate: z.number().int().min(1).max(256).default(2),
    /** Budget: tokens trained (rounded up to whole steps)... */
    tokens: z.number().int().min(1).nullable().default(null),
    /** ...or seconds of training (the learning rate anneals on the clock). */
    seconds: z.number().positive().nullable().default(null),
    temperature: z.number().positive().max(100).default(1),
    /** Weight of the hard label (the text's next token); 1 - alpha goes to the teacher. */
    alpha: z.number().min(0).max(1).default(0),
    /** The teacher's distribution is stored as its top k tokens plus the lumped mass of the rest. */
    topK: z.number().int().min(1).max(4096).default(64),
    lr: z.number().positive().default(1e-4),
    lrMin: z.number().nonnegative().default(1e-5),
    warmupSteps: z.number().int().nonnegative().default(4),
    /** Save the student every N steps (atomically), the point a cancelled or crashed run resumes from. */
    checkpointEvery: z.number().int().min(1).default(20),
    /** Held-out loss and KLD to the teacher every N steps (and at the start and the end). */
    evalEvery: z.number().int().min(1).default(10),
    /** Held-out sequences scored each time. */
    heldoutChunks: z.number().int().min(1).default(8),
    /** Sequences of the training text the teacher scores; null: what a token budget trains on, or the whole text. */
    textChunks: z.number().int().min(1).nullable().default(null),
    seed: z.number().int().nonnegative().default(1),
    threads: threadsSetting,
    /** Also train token_embd (llama.cpp skips it); only the rows of tokens in the text move. */
    trainTokenEmbedding: z.boolean().default(false),
    /** Storage of the student's matrices. */
    storage: z.enum(["f32", "f16"]).default("f16"),
  })
  .refine((s) => s.contextSize % s.accumulate === 0, "contextSize must be a multiple of accumulate")
  .refine((s) => (s.tokens === null) !== (s.seconds === null), "give a budget in tokens or in seconds");
export type DistillSettingsInput = z.input<typeof distillSettings>;
export type DistillSettings = z.output<typeof distillSettings>;

/** A text with its hash, as the teacher's cache keys it. */
export const distillText = z.object({
  path: z.string(),
  sha256: z.string(),
  textSetId: z.string().nullable(),
});

/** Where the teacher's distributions of a text are (or go): a cached file, or one to compute. */
export const teacherCacheRef = z.object({
  /** A recorded file for this (teacher, text, context, k), or null: the worker computes it. */
  cachedPath: z.string().nullable(),
  contextSize: z.number().int(),
  chunks: z.number().int().nullable(),
  topKMax: z.number().int(),
  topMass: z.number(),
  tailSamples: z.number().int(),
  /** Position the teacher scores from: 0 for training (every position), null the evaluation's half. */
  scoreFrom: z.number().int().nullable(),
});
export type TeacherCacheRef = z.output<typeof teacherCacheRef>;

export const distillJobParams = z.object({
  teacher: jobModelRef,
  /** The student's file; its library id when known (a graph's prune step makes it on the way). */
  student: z.object({ path: z.string(), modelId: z.string().nullable() }),
  /** How the student came to be, for its lineage. */
  studentFrom: z.string(),
  text: distillText,
  heldout: distillText.nullable(),
  teacherText: teacherCacheRef,
  teacherHeldout: teacherCacheRef.nullable(),
  settings: distillSettings,
  outPath: z.string(),
  /** The run's checkpoint (model and state); a run with the same key resumes from it. */
  checkpoint: z.object({ path: z.string(), key: z.string() }),
  /** Sequence-level distillation: the text is (or holds) the teacher's own generated text. */
  data: distillDataUse.nullable().default(null),
});
export type DistillJobParams = z.output<typeof distillJobParams>;

/** Held-out figures against the teacher at one step (means per scored position). */
export const heldoutPoint = z.object({
  step: z.number().int(),
  objective: z.number(),
  nll: z.number(),
  kld: z.number(),
  kldStdErr: z.number(),
  positions: z.number().int(),
});
export type HeldoutPoint = z.infer<typeof heldoutPoint>;

/** A teacher file the worker wrote (in its temp folder) or reused. */
export const teacherFileOutput = z.object({
  path: z.string(),
  /** true: written by this job, to be recorded as an artifact. */
  fresh: z.boolean(),
  bytes: z.number().int(),
  /** Mean tokens kept per position and the mean probability mass they hold. */
  meanK: z.number(),
  meanMassKept: z.number(),
  positions: z.number().int(),
});

export const distillTraining = z.object({
  /** The step the run ended at (continuing the count of the run it resumed). */
  steps: z.number().int(),
  totalSteps: z.number().int(),
  resumedFromStep: z.number().int(),
  tokens: z.number().int(),
  seconds: z.number(),
  tokensPerSecond: z.number(),
  finalLoss: z.number(),
  /** Training objective as reported while training (this run and the runs it resumed). */
  lossCurve: z.array(z.object({ step: z.number().int(), loss: z.number() })),
  heldout: z.array(heldoutPoint),
  /** With trainTokenEmbedding: token_embd's rows and how many moved in this run (null: frozen). */
  tokenEmbedding: z
    .object({ rows: z.number().int(), rowsChanged: z.number().int() })
    .nullable()
    .default(null),
});
export type DistillTraining = z.infer<typeof distillTraining>;

export const distillWorkerValue = z.object({
  facts: modelFileFacts,
  build: llamaBuild,
  teacherText: teacherFileOutput,
  teacherHeldout: teacherFileOutput.nullable(),
  training: distillTraining,
});

export const distillJobResult = z.object({
  model: modelRecord,
  alreadyPresent: z.boolean(),
  teacherArtifacts: z.object({
    text: z.object({ artifactId: z.string(), reused: z.boolean() }),
    heldout: z.object({ artifactId: z.string(), reused: z.boolean() }).nullable(),
  }),
  meanK: z.number(),
  meanMassKept: z.number(),
  training: distillTraining,
  /** The teacher-generated data set trained on (sequence-level distillation), if any. */
  data: distillDataUse.nullable().default(null),
});
export type DistillJobResult = z.infer<typeof distillJobResult>;
