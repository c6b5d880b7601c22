// layers, worker half: each block's importance on calibration text (native/src/layers.cpp) plus the
// machine fingerprint; the parent stores them as a run of kind 'layers'.
import { collectMachineFingerprint } from "../../core/machine/machineFingerprint.js";
import { loadNative } from "../native/loadAddon.js";
import { runNativeTask } from "../native/nativeTask.js";
import { calibrationPassOptions } from "../pruning/measureChannels.js";
import { defineRunner } from "../Runner.js";
import { forwardNativeEvents } from "./forwardNativeEvents.js";

export default defineRunner("layers", async (params, context) => {
  const { addon, llama, backend, buildLabel } = await loadNative(params.settings);
  const result = await runNativeTask(
    addon.layerImportance(calibrationPassOptions(params, backend), forwardNativeEvents(context)),
    context.signal,
  );
  const machine = await collectMachineFingerprint(llama);
  return { ...result, machine, llamaBuild: buildLabel };
});
