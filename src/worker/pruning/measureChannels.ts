// Channel and head importance on calibration text (native/src/channelImportance.cpp), shared by the
// channels job and width pruning, which ranks by it.
import os from "node:os";
import type { ChannelsJobParams, ChannelsJobResult } from "../../shared/domain/widthPruning.js";
import type { LoadedNative } from "../native/loadAddon.js";
import { runNativeTask } from "../native/nativeTask.js";
import { nativeGpuLayers } from "../native/planGpu.js";
import type { RunnerContext } from "../Runner.js";
import { forwardNativeEvents } from "../runners/forwardNativeEvents.js";

export async function measureChannels(
  { addon, llama, backend }: LoadedNative,
  params: ChannelsJobParams,
  context: RunnerContext,
  stepPrefix = "",
): Promise<ChannelsJobResult> {
  const { settings } = params;
  const measured = await runNativeTask(
    addon.channelImportance(
      {
        modelPath: params.model.path,
        textPath: params.text.path,
        nCtx: settings.contextSize,
        nChunks: settings.chunks,
        threads: settings.threads ?? os.availableParallelism(),
        gpuLayers: nativeGpuLayers(settings.gpuLayers, backend),
      },
      forwardNativeEvents(context, stepPrefix),
    ),
    context.signal,
  );
  return {
    modelId: params.model.modelId,
    layers: measured.layers.map((l) => ({ layer: l.layer, ffn: Array.from(l.ffn), heads: Array.from(l.heads) })),
    headCount: measured.headCount,
    headCountKv: measured.headCountKv,
    chunks: measured.chunks,
    tokens: measured.tokens,
    seconds: measured.seconds,
    llamaBuild: llama.llamaCppRelease.release,
  };
}
