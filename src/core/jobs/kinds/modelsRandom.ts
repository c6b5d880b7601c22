// models.random, parent half: moves the model the worker wrote in its temp folder to the cache path
// the caller chose (same filesystem: the data folder), replacing nothing that exists.
import { existsSync, mkdirSync, renameSync } from "node:fs";
import path from "node:path";
import { randomModelParameterCount, randomModelShapes } from "../../../shared/domain/randomModel.js";
import { defineJobKindHost } from "../JobKindHost.js";

export const modelsRandomHost = defineJobKindHost({
  kind: "models.random",
  estimateOutput(params) {
    // F16 weights plus the file's small header and vocabulary.
    const bytes = randomModelParameterCount(randomModelShapes[params.shape]) * 2 + 16 * 1024 * 1024;
    return { bytes, dir: path.dirname(params.outPath) };
  },
  complete(value, params) {
    mkdirSync(path.dirname(params.outPath), { recursive: true });
    if (!existsSync(params.outPath)) renameSync(value.modelPath, params.outPath);
    return { ...value, modelPath: params.outPath };
  },
});
