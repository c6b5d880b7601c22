// imatrix, worker half: llama-imatrix's importance matrix computed through the addon's eval
// callback (native/src/imatrix.cpp) into the job's temp folder. The parent records the artifact.
import os from "node:os";
import { sha256File } from "../../core/library/hashFile.js";
import { loadNative } from "../native/loadAddon.js";
import { runNativeTask } from "../native/nativeTask.js";
import { nativeGpuLayers } from "../native/planGpu.js";
import { defineRunner } from "../Runner.js";
import { forwardNativeEvents } from "./forwardNativeEvents.js";

export default defineRunner("imatrix", async (params, context) => {
  const { settings } = params;
  const { addon, backend } = await loadNative(settings);
  const outPath = context.tempPath("imatrix.gguf");
  const result = await runNativeTask(
    addon.computeImatrix(
      {
        modelPath: params.model.path,
        textPath: params.text.path,
        outPath,
        datasetName: params.text.name,
        nCtx: settings.contextSize,
        ...(settings.chunks !== null ? { nChunks: settings.chunks } : {}),
        nBatch: settings.batchSize,
        threads: settings.threads ?? os.availableParallelism(),
        gpuLayers: nativeGpuLayers(settings.gpuLayers, backend),
      },
      forwardNativeEvents(context),
    ),
    context.signal,
  );
  const { sha256, bytes } = await sha256File(outPath);
  return { ...result, tempPath: outPath, sha256, bytes };
});
