// The model's own prompt and generation speed, measured with llama-bench's method by the addon
// (native/src/engineBench.cpp) on the llama.cpp libraries node-llama-cpp loaded, with the settings a
// node-llama-cpp context resolved for the same run. Tokens/s per repetition, like llama-bench's samples.
import { runNativeTask } from "../native/nativeTask.js";
import type { CwbNativeAddon } from "../native/AddonTypes.js";
import { flashAttentionMode, type ResolvedBenchSettings } from "../../shared/domain/bench.js";

export interface EngineSpeed {
  /** Prompt length → tokens/s per repetition. */
  promptTokensPerSecond: Map<number, number[]>;
  /** Single-token decodes, no sampling: tokens/s per repetition. */
  generationTokensPerSecond: number[];
}

export interface EngineBenchHooks {
  signal?: AbortSignal;
  /** fraction 0..1 of this phase, and the step in words. */
  onProgress?: (fraction: number, step: string) => void;
}

/** Rejects with the addon's error; an abort through `signal` stops it inside llama_decode. */
export async function runEngineBench(
  addon: CwbNativeAddon,
  modelPath: string,
  settings: ResolvedBenchSettings,
  hooks: EngineBenchHooks = {},
): Promise<EngineSpeed> {
  const handle = addon.engineBench(
    {
      modelPath,
      threads: settings.threads,
      contextSize: settings.contextSize,
      batchSize: settings.batchSize,
      gpuLayers: settings.gpuLayers,
      // As node-llama-cpp's context had it; "auto" lets llama.cpp decide the same way for both.
      flashAttention: flashAttentionMode(settings.flashAttention),
      promptLengths: settings.promptLengths,
      depth: settings.generationPromptTokens,
      tokens: settings.generateTokens,
      reps: settings.reps,
      seed: settings.seed,
    },
    (event) => {
      if (event.type === "progress")
        hooks.onProgress?.(event.fraction, `llama-bench method: ${event.message}`);
    },
  );
  const run = await runNativeTask(handle, hooks.signal);
  return {
    promptTokensPerSecond: new Map(
      run.prompt.map((p) => [p.length, p.repSeconds.map((seconds) => p.length / seconds)]),
    ),
    generationTokensPerSecond: (run.generation ?? []).map((seconds) => settings.generateTokens / seconds),
  };
}
