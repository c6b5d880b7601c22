// Resolves a distillation before it is queued (in the process that owns the database): the teacher,
// the texts (stored as text sets, hashed), the teacher files already cached, the checkpoint a run with
// the same inputs resumes from, and the student: an existing model (one job), or one made from the
// teacher by dropping blocks, planned as a job graph: [layer importance →] prune → distill.
import { checkSameVocabulary } from "../library/checkSameVocabulary.js";
import { checkTrainable } from "./checkTrainable.js";
import { createHash } from "node:crypto";
import path from "node:path";
import {
  distillSettings,
  type DistillJobParams,
  type DistillSettings,
  type DistillSettingsInput,
} from "../../shared/domain/distill.js";
import type { DistillDataUse } from "../../shared/domain/distillData.js";
import type { LayerImportanceSettingsInput } from "../../shared/domain/compression.js";
import type { ModelRecord } from "../../shared/domain/model.js";
import { CodedError } from "../errors.js";
import { resolveModel } from "../eval/planEvaluation.js";
import type { GraphNode } from "../jobs/JobGraph.js";
import { ensureDataPaths } from "../paths.js";
import { explicitOutPath, freePath, modelStem } from "../quantize/outputPath.js";
import { planLayers } from "../quantize/planLayers.js";
import { planPrune } from "../quantize/planPrune.js";
import { planPruneWidth } from "../quantize/planPruneWidth.js";
import { storeTextSet } from "../quantize/storeTextSet.js";
import type { Db } from "../store/Store.js";
import type { DistillPruneInput } from "./distillSteps.js";
import { heldoutTeacherRef, trainingTeacherRef, withCachedTeacher } from "./teacherCache.js";

/**
 * How a student is made from the teacher: the N least important blocks dropped, every other one,
 * listed blocks, or narrower blocks (width pruning, measured on the training text).
 */
export type StudentRecipe =
  | { drop: number }
  | { everyOther: true }
  | { blocks: readonly number[] }
  | { width: { ffnKeep: string | null; headsKeep: string | null } };

/** What a student recipe adds to the names of the files it makes. */
export function studentFileLabel(recipe: StudentRecipe): string {
  if ("drop" in recipe) return `drop${recipe.drop}`;
  if ("everyOther" in recipe) return "every-other";
  if ("blocks" in recipe) return `blocks${recipe.blocks.join("_")}`;
  return "width";
}

export function parseStudentFrom(text: string): StudentRecipe {
  if (text === "drop:every-other") return { everyOther: true };
  const match = /^drop:(\d+)$/.exec(text);
  if (match && Number(match[1]) > 0) return { drop: Number(match[1]) };
  throw new CodedError(
    "BAD_DISTILL_SETTINGS",
    `student recipe "${text}": expected drop:N (the N least important blocks) or drop:every-other`,
  );
}

export interface DistillRequest {
  teacher: string;
  /** An existing student (library reference or GGUF path)... */
  student?: string | null;
  /** ...or a recipe that makes one from the teacher. */
  studentFrom?: string | null;
  text: string;
  heldout?: string | null;
  /** When the text is a sequence-level data set (`text` is then its file). */
  data?: DistillDataUse | null;
  settings?: DistillSettingsInput;
  /** Layer-importance settings when the recipe drops the least important blocks. */
  layers?: LayerImportanceSettingsInput;
  out?: string | null;
}

export type DistillPlan =
  | { kind: "job"; teacher: ModelRecord; params: DistillJobParams }
  | { kind: "graph"; teacher: ModelRecord; nodes: GraphNode[]; distillStep: string; name: string };

/** Blocks DistilBERT's way: every other one goes (1, 3, 5, ...), the first and the even ones stay. */
export function everyOtherBlock(blockCount: number): number[] {
  const dropped: number[] = [];
  for (let i = 1; i < blockCount; i += 2) dropped.push(i);
  return dropped;
}

function checkpointKey(parts: unknown[]): string {
  return createHash("sha256").update(JSON.stringify(parts)).digest("hex").slice(0, 24);
}

async function distillText(db: Db, dataDir: string, file: string, purpose: "calibration" | "evaluation") {
  const { textSet } = await storeTextSet(db, dataDir, file, purpose);
  return { path: textSet.path, sha256: textSet.sha256, textSetId: textSet.id };
}

export async function distillParams(
  db: Db,
  dataDir: string,
  teacher: ModelRecord,
  student: DistillJobParams["student"] & { sha256: string | null },
  studentFrom: string,
  request: DistillRequest,
  settings: DistillSettings,
  outPath: string,
): Promise<DistillJobParams> {
  const text = await distillText(db, dataDir, request.text, "calibration");
  const heldout = request.heldout ? await distillText(db, dataDir, request.heldout, "evaluation") : null;
  const teacherRef = { modelId: teacher.id, sha256: teacher.sha256 };
  const key = checkpointKey([
    "distill-v1",
    teacher.sha256,
    // A recipe's student is made again by a re-run (a new file): the recipe identifies it.
    student.sha256 ?? studentFrom,
    text.sha256,
    heldout?.sha256 ?? null,
    settings,
  ]);
  return {
    teacher: { modelId: teacher.id, path: teacher.path, sha256: teacher.sha256 },
    student: { path: student.path, modelId: student.modelId },
    studentFrom,
    text,
    heldout,
    teacherText: withCachedTeacher(db, teacherRef, text.sha256, trainingTeacherRef(settings)),
    teacherHeldout: heldout
      ? withCachedTeacher(db, teacherRef, heldout.sha256, heldoutTeacherRef(settings))
      : null,
    settings,
    outPath,
    checkpoint: { path: path.join(ensureDataPaths(dataDir).dataDir, "checkpoints", `distill-${key}`), key },
    data: request.data ?? null,
  };
}

export async function planDistill(db: Db, dataDir: string, request: DistillRequest): Promise<DistillPlan> {
  if (Boolean(request.student) === Boolean(request.studentFrom))
    throw new CodedError(
      "BAD_DISTILL_SETTINGS",
      "distillation needs one student: an existing model or a recipe that makes one",
    );
  const parsed = distillSettings.safeParse(request.settings ?? {});
  if (!parsed.success)
    throw new CodedError(
      "BAD_DISTILL_SETTINGS",
      `distillation settings: ${parsed.error.issues.map((i) => i.message).join("; ")}`,
    );
  const settings = parsed.data;
  const teacher = await resolveModel(db, request.teacher);
  const models = ensureDataPaths(dataDir).models;

  if (request.student) {
    const student = await resolveModel(db, request.student);
    checkSameVocabulary(teacher, student, "teacher");
    checkTrainable(student.path, student.metadata, "student");
    const outPath = request.out
      ? explicitOutPath(request.out)
      : freePath(models, `${modelStem(student.path)}.distilled`, ".gguf");
    const params = await distillParams(
      db,
      dataDir,
      teacher,
      { path: student.path, modelId: student.id, sha256: student.sha256 },
      `model ${student.id}`,
      request,
      settings,
      outPath,
    );
    return { kind: "job", teacher, params };
  }

  const studentFrom = request.studentFrom!;
  const recipe = parseStudentFrom(studentFrom);
  checkTrainable(teacher.path, teacher.metadata, "student made from it");
  const stem = modelStem(teacher.path);
  const studentPath = freePath(models, `${stem}.student-${studentFileLabel(recipe)}`, ".gguf");
  const outPath = request.out
    ? explicitOutPath(request.out)
    : freePath(models, `${path.basename(studentPath, ".gguf")}.distilled`, ".gguf");
  const distill = await distillParams(
    db,
    dataDir,
    teacher,
    { path: studentPath, modelId: null, sha256: null },
    studentFrom,
    request,
    settings,
    outPath,
  );
  const nodes = await planStudentSteps(db, dataDir, teacher, recipe, {
    text: request.text,
    threads: settings.threads,
    layers: request.layers,
    out: studentPath,
  });
  nodes.push({
    key: "distill",
    kind: "distill",
    hook: { name: "distill.student", input: distill },
    dependsOn: ["prune"],
  });
  return {
    kind: "graph",
    teacher,
    nodes,
    distillStep: "distill",
    name: `${teacher.metadata.name ?? path.basename(teacher.path)} distilled (${studentFrom})`,
  };
}

/** How a student is narrowed: evenly per block, kept FFN widths in whole K-quant rows (it is quantized afterwards). */
export const chainWidthRecipe = {
  distribution: "uniform",
  kQuantRows: true,
  removes: "least-important",
  seed: 1,
} as const;

export interface StudentStepsRequest {
  /** The text that ranks blocks or channels. */
  text: string;
  threads: number | null;
  layers?: LayerImportanceSettingsInput;
  /** Where the student is written. */
  out: string;
}

/**
 * The steps that make a student from the teacher at `request.out`: the one keyed "prune" writes it,
 * after a "layers" step when it drops the least important blocks (the blocks are chosen when the
 * ranking is known, by the distill.prune hook).
 */
export async function planStudentSteps(
  db: Db,
  dataDir: string,
  teacher: ModelRecord,
  recipe: StudentRecipe,
  request: StudentStepsRequest,
): Promise<GraphNode[]> {
  if ("drop" in recipe) {
    if (recipe.drop >= teacher.metadata.layers)
      throw new CodedError(
        "BAD_PRUNE_BLOCKS",
        `${teacher.path}: dropping ${recipe.drop} of ${teacher.metadata.layers} blocks leaves none`,
        { file: teacher.path },
      );
    const layers = await planLayers(db, dataDir, {
      model: teacher.id,
      text: request.text,
      settings: request.layers ?? {},
    });
    const input: DistillPruneInput = {
      model: teacher.id,
      drop: recipe.drop,
      out: request.out,
      threads: request.threads,
      layersStep: "layers",
      textSetId: layers.text.textSetId,
    };
    return [
      { key: "layers", kind: "layers", params: layers },
      { key: "prune", kind: "prune", hook: { name: "distill.prune", input }, dependsOn: ["layers"] },
    ];
  }
  if ("width" in recipe) {
    const params = await planPruneWidth(db, dataDir, {
      model: teacher.id,
      text: request.text,
      ffnKeep: recipe.width.ffnKeep,
      headsKeep: recipe.width.headsKeep,
      recipe: chainWidthRecipe,
      settings: request.layers ?? {},
      out: request.out,
    });
    return [{ key: "prune", kind: "prune.width", params }];
  }
  const prune = await planPrune(db, dataDir, {
    model: teacher.id,
    layers: "blocks" in recipe ? recipe.blocks : everyOtherBlock(teacher.metadata.layers),
    threads: request.threads,
    out: request.out,
  });
  return [{ key: "prune", kind: "prune", params: prune }];
}
