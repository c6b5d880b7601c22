// Resolves a request for sequence-level distillation data before it is queued: the teacher, the
// prompt file (stored as a text set, hashed), the settings, and the set already recorded for the
// same (teacher, prompts, settings), which the job then reuses instead of generating again.
import {
  distillDataSettings,
  type DistillDataJobParams,
  type DistillDataSettingsInput,
} from "../../shared/domain/distillData.js";
import { CodedError } from "../errors.js";
import { resolveModel } from "../eval/planEvaluation.js";
import { storeTextSet } from "../quantize/storeTextSet.js";
import type { Db } from "../store/Store.js";
import { findDistillData, generatedSetKeyId } from "./distillDataCache.js";

export interface DistillDataRequest {
  teacher: string;
  prompts: string;
  settings?: DistillDataSettingsInput;
}

export async function planDistillData(
  db: Db,
  dataDir: string,
  request: DistillDataRequest,
): Promise<DistillDataJobParams> {
  const parsed = distillDataSettings.safeParse(request.settings ?? {});
  if (!parsed.success)
    throw new CodedError(
      "BAD_DISTILL_SETTINGS",
      `generation settings: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`,
    );
  const settings = parsed.data;
  const teacher = await resolveModel(db, request.teacher);
  const { textSet } = await storeTextSet(db, dataDir, request.prompts, "calibration");
  const keyId = generatedSetKeyId(teacher.sha256, textSet.sha256, settings);
  return {
    teacher: { modelId: teacher.id, path: teacher.path, sha256: teacher.sha256 },
    prompts: { path: textSet.path, sha256: textSet.sha256, textSetId: textSet.id },
    settings,
    keyId,
    cached: findDistillData(db, keyId),
  };
}
