// models.random, worker half: writes a random-weight F16 model of the chosen shape into the job's
// temp folder (the addon's createModel); the parent moves it to its cache path.
import { randomModelParameterCount, randomModelShapes } from "../../shared/domain/randomModel.js";
import { vocabularyPath } from "../../core/reference/vocabularySource.js";
import { loadNative } from "../native/loadAddon.js";
import { defineRunner } from "../Runner.js";

export default defineRunner("models.random", async (params, context) => {
  const shape = randomModelShapes[params.shape];
  const { addon } = await loadNative();
  context.progress(0, `writing random weights (${shape.title})`);
  context.signal.throwIfAborted();
  const written = await addon.createModel({
    outPath: context.tempPath("model.gguf"),
    vocabPath: vocabularyPath(shape.vocabFile),
    name: `random ${params.shape}`,
    nVocab: shape.vocabPieces,
    nEmbd: shape.nEmbd,
    nFf: shape.nFf,
    nLayer: shape.nLayer,
    nHead: shape.nHead,
    nHeadKv: shape.nHeadKv,
    nCtx: 8192,
    ropeFreqBase: 100_000,
    rmsEps: 1e-5,
    initStd: 0.02,
    seed: 1,
    type: "f16",
    metadata: {
      "general.description": `Compression Workbench speed model: random weights, ${shape.title}; speed only, its quality means nothing`,
    },
  });
  context.progress(1, "written");
  return {
    shape: params.shape,
    modelPath: written.path,
    sizeBytes: written.fileBytes,
    nParams: written.nParams ?? randomModelParameterCount(shape),
  };
});
