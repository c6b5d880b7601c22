// layers, worker half: each block's importance on calibration text (native/src/layers.cpp) plus the
// machine fingerprint; the parent stores them as a run of kind 'layers'.
import os from "node:os";
import { collectMachineFingerprint } from "../../core/machine/machineFingerprint.js";
import { loadNative } from "../native/loadAddon.js";
import { runNativeTask } from "../native/nativeTask.js";
import { nativeGpuLayers } from "../native/planGpu.js";
import { defineRunner } from "../Runner.js";
import { forwardNativeEvents } from "./forwardNativeEvents.js";

export default defineRunner("layers", async (params, context) => {
  const { settings } = params;
  const { addon, llama, backend } = await loadNative(settings);
  const result = await runNativeTask(
    addon.layerImportance(
      {
        modelPath: params.model.path,
        textPath: params.text.path,
        nCtx: settings.contextSize,
        nChunks: settings.chunks,
        threads: settings.threads ?? os.availableParallelism(),
        gpuLayers: nativeGpuLayers(settings.gpuLayers, backend),
      },
      forwardNativeEvents(context),
    ),
    context.signal,
  );
  const machine = await collectMachineFingerprint(llama);
  return { ...result, machine, llamaBuild: llama.llamaCppRelease.release };
});
