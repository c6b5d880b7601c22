// Resolves a layer-importance request before its job is queued: the model and the calibration
// text, stored once as a text set.
import { layerImportanceSettings, type LayersJobParams } from "../../shared/domain/compression.js";
import type { z } from "zod";
import { resolveModel } from "../eval/planEvaluation.js";
import type { Db } from "../store/Store.js";
import { storeTextSet } from "./storeTextSet.js";

export interface LayersRequest {
  model: string;
  text: string;
  settings?: z.input<typeof layerImportanceSettings>;
}

export async function planLayers(db: Db, dataDir: string, request: LayersRequest): Promise<LayersJobParams> {
  const model = await resolveModel(db, request.model);
  const { textSet } = await storeTextSet(db, dataDir, request.text, "calibration");
  return {
    model: { modelId: model.id, path: model.path, sha256: model.sha256 },
    text: { textSetId: textSet.id, path: textSet.path, sha256: textSet.sha256, name: textSet.name },
    settings: layerImportanceSettings.parse(request.settings ?? {}),
  };
}
