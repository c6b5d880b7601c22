// Channel and head importance on calibration text (native/src/channelImportance.cpp), shared by the
// channels job and width pruning, which ranks by it.
import os from "node:os";
import type { ChannelsJobParams, ChannelsJobResult } from "../../shared/domain/widthPruning.js";
import type { LayerImportanceOptions } from "../native/AddonTypes.js";
import type { LoadedNative } from "../native/loadAddon.js";
import { runNativeTask } from "../native/nativeTask.js";
import { nativeGpuLayers } from "../native/planGpu.js";
import type { RunnerContext } from "../Runner.js";
import { forwardNativeEvents } from "../runners/forwardNativeEvents.js";

/** The addon's options for a calibration pass (block or channel importance) from a job's params. */
export function calibrationPassOptions(
  params: ChannelsJobParams,
  backend: LoadedNative["backend"],
): LayerImportanceOptions {
  const { settings } = params;
  return {
    modelPath: params.model.path,
    textPath: params.text.path,
    nCtx: settings.contextSize,
    nChunks: settings.chunks,
    threads: settings.threads ?? os.availableParallelism(),
    gpuLayers: nativeGpuLayers(settings.gpuLayers, backend),
  };
}

export async function measureChannels(
  { addon, backend, buildLabel }: LoadedNative,
  params: ChannelsJobParams,
  context: RunnerContext,
  stepPrefix = "",
): Promise<ChannelsJobResult> {
  const measured = await runNativeTask(
    addon.channelImportance(
      calibrationPassOptions(params, backend),
      forwardNativeEvents(context, stepPrefix),
    ),
    context.signal,
  );
  return {
    modelId: params.model.modelId,
    layers: measured.layers.map((l) => ({
      layer: l.layer,
      ffn: Array.from(l.ffn),
      heads: Array.from(l.heads),
    })),
    headCount: measured.headCount,
    headCountKv: measured.headCountKv,
    chunks: measured.chunks,
    tokens: measured.tokens,
    seconds: measured.seconds,
    llamaBuild: buildLabel,
  };
}
