// Resolves an imatrix request before its job is queued: the model, the calibration text stored
// once as a text set, the settings, and the output path (default: the data dir's artifacts).
import type { ImatrixJobParams, ImatrixSettingsInput } from "../../shared/domain/compression.js";
import { imatrixSettings } from "../../shared/domain/compression.js";
import { resolveModel } from "../eval/planEvaluation.js";
import { ensureDataPaths } from "../paths.js";
import type { Db } from "../store/Store.js";
import { explicitOutPath, freePath, modelStem } from "./outputPath.js";
import { storeTextSet } from "./storeTextSet.js";

export interface ImatrixRequest {
  model: string;
  text: string;
  settings?: ImatrixSettingsInput;
  out?: string | null;
}

export async function planImatrix(
  db: Db,
  dataDir: string,
  request: ImatrixRequest,
): Promise<ImatrixJobParams> {
  const settings = imatrixSettings.parse(request.settings ?? {});
  const model = await resolveModel(db, request.model);
  const { textSet } = await storeTextSet(db, dataDir, request.text, "calibration");
  const outPath = request.out
    ? explicitOutPath(request.out)
    : freePath(
        ensureDataPaths(dataDir).artifacts,
        `${modelStem(model.path)}.${textSet.sha256.slice(0, 8)}.ctx${settings.contextSize}.imatrix`,
        ".gguf",
      );
  return {
    model: { modelId: model.id, path: model.path, sha256: model.sha256 },
    text: { textSetId: textSet.id, path: textSet.path, sha256: textSet.sha256, name: textSet.name },
    settings,
    outPath,
  };
}
