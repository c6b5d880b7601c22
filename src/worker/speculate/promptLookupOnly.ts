// `cwb speculate` without a draft model: no engine view to measure (it needs a draft), only the app
// view's prompt lookup, which predicts from the prompt itself. Returns a measurement with no points.
import os from "node:os";
import { collectMachineFingerprint, nodeLlamaCppVersion } from "../../core/machine/machineFingerprint.js";
import type { SpeculateJobParams, SpeculateMeasurement } from "../../shared/domain/speculate.js";
import type { RunnerContext } from "../Runner.js";
import type { LoadedNative } from "../native/loadAddon.js";
import { measureAppView } from "./appSpeculation.js";

export async function measurePromptLookupOnly(
  { llama, backend }: Pick<LoadedNative, "llama" | "backend">,
  params: SpeculateJobParams,
  threads: number,
  context: RunnerContext,
): Promise<SpeculateMeasurement> {
  const { settings } = params;
  context.progress(0, "loading the target");
  const target = await llama.loadModel({ modelPath: params.target.path, gpuLayers: settings.gpuLayers });
  try {
    const bos = target.tokens.bos;
    const prompts = params.prompts.map((text) => {
      const tokens = target.tokenize(text);
      return bos !== null && target.tokens.shouldPrependBosToken ? [bos, ...tokens] : tokens;
    });
    const appView = await measureAppView(
      {
        target,
        draft: null,
        prompts,
        promptTexts: params.prompts,
        maxTokens: settings.maxTokens,
        reps: settings.reps,
        contextSize: settings.contextSize,
        threads,
        predictMax: settings.draftMax === "auto" ? 8 : settings.draftMax,
        draftMin: settings.draftMin,
        pMin: settings.pMin,
      },
      context,
    );
    context.progress(1, "done");
    return {
      points: [],
      bestDraftMax: null,
      memory: { targetBytes: target.size, draftBytes: 0 },
      machine: await collectMachineFingerprint(llama),
      llamaBuild: llama.llamaCppRelease.release,
      nodeLlamaCpp: nodeLlamaCppVersion(),
      backend,
      settings: { ...settings, threads },
      loadAverage: os.loadavg(),
      appView,
    };
  } finally {
    await target.dispose();
  }
}
