// The speed and memory benchmark of one model, run inside a worker process. Two views of speed:
//   - the model's own speed on this llama.cpp build ("pp", "tg"): llama-bench's method, run by the
//     addon (native/src/engineBench.cpp) on the library binaries node-llama-cpp loaded, with the
//     settings node-llama-cpp resolved; comparable with llama-bench on the same machine;
//   - what an app built on node-llama-cpp gets ("app.pp", "app.tg", TTFT, inter-token latency):
//     node-llama-cpp's public API, including its per-token sampling call and JS round trips, and
//     contexts without a persistent thread pool.
// Order matters:
//   1. cold load: the file's pages are dropped from the OS page cache first (posix_fadvise through
//      the addon; its residency is checked with mincore and recorded), then the model is loaded —
//      in a fresh worker process, so nothing of it is in this process either. Where eviction is not
//      possible (macOS, Windows, or pages mapped by another process) "cold" is only "first load in
//      a fresh process" and the recorded residency says so.
//   2. warm loads: the same file again, now in the page cache.
//   3. app prompt processing: random tokens (fixed seed) through evaluateWithoutGeneratingNewTokens
//      at each length, sequence cleared before every repetition.
//   4. app generation: a random prompt, then greedy token-by-token generation with a timestamp per
//      token (TTFT = prompt submitted → first token; ITL = gaps between tokens).
//   5. memory: the OS's peak RSS (reset before the first load on Linux) next to node-llama-cpp's
//      estimate for the same settings — read before anything else loads or allocates.
//   6. engine pp and tg (node-llama-cpp's model and context disposed first).
//   7. memory bandwidth probe (native, all threads).
// Steps 3 to 6 are watched for interference (core/bench/interference.ts): other processes' CPU
// time, stolen time, load, and the repetitions' spread and drift; the reasons go into the details.
import { stat } from "node:fs/promises";
import type { Llama, LlamaContext, LlamaModel, Token } from "node-llama-cpp";
import { CodedError } from "../../core/errors.js";
import { loadNative } from "../native/loadAddon.js";
import { GpuUnavailableError } from "../native/planGpu.js";
import { readGgufLayout } from "../../core/library/ggufLayout.js";
import { collectMachineFingerprint, nodeLlamaCppVersion } from "../../core/machine/machineFingerprint.js";
import { currentRss, peakRss, resetPeakRss } from "../../core/bench/processMemory.js";
import { randomTokens, seededRandom } from "../../core/bench/randomTokens.js";
import { weightBytesPerToken } from "../../shared/metrics/weightBytesPerToken.js";
import { benchMetrics, type SpeedSamples } from "../../core/bench/benchMetrics.js";
import { assessInterference, watchMachineActivity } from "../../core/bench/interference.js";
import { runEngineBench } from "./engineBench.js";
import {
  benchMethod,
  type BenchDetails,
  type BenchReport,
  type BenchSettings,
  type ResolvedBenchSettings,
} from "../../shared/domain/bench.js";

export interface SpeedBenchHooks {
  signal?: AbortSignal;
  onProgress?: (fraction: number, step: string) => void;
  log?: (message: string) => void;
}

export class BenchCancelledError extends Error {
  constructor() {
    super("benchmark cancelled");
    this.name = "BenchCancelledError";
  }
}

function msSince(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e6;
}

function defaultContextSize(settings: BenchSettings): number {
  const longest = Math.max(
    ...settings.promptLengths,
    settings.generationPromptTokens + settings.generateTokens,
  );
  return Math.ceil((longest + 1) / 256) * 256;
}

/** Runs the whole benchmark; the caller stores the report (see saveBenchRun.ts). */
export async function runSpeedBench(
  modelPath: string,
  settings: BenchSettings,
  hooks: SpeedBenchHooks = {},
): Promise<Omit<BenchReport, "runId" | "modelId">> {
  const log = hooks.log ?? (() => undefined);
  const checkCancel = (): void => {
    if (hooks.signal?.aborted) throw new BenchCancelledError();
  };
  const warnings: string[] = [];

  // Progress is counted in "units": one per load, per timed or warm-up repetition, plus the probe.
  const totalUnits =
    1 +
    settings.warmLoads +
    settings.warmupReps * 2 +
    settings.reps * (settings.promptLengths.length + 1) * 2 +
    (settings.bandwidth ? 3 : 0);
  let doneUnits = 0;
  const progress = (step: string, units = 1): void => {
    doneUnits += units;
    hooks.onProgress?.(Math.min(1, doneUnits / totalUnits), step);
  };

  const native = await loadNative(settings).catch((error: unknown) => {
    if (
      settings.gpu === "auto" ||
      settings.gpu === "cpu" ||
      settings.llamaBuild === "local" ||
      error instanceof GpuUnavailableError
    )
      throw error;
    const platform = `${process.platform}-${process.arch}`;
    throw new CodedError(
      "GPU_BUILD_UNAVAILABLE",
      `no llama.cpp build for ${settings.gpu} can be loaded on this machine (node-llama-cpp's ` +
        `@node-llama-cpp/${platform}-${settings.gpu} package and a working driver are needed)`,
      {
        llamaReason: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
        remedies: ["choose-auto-gpu", "choose-cpu"],
        cause: error,
      },
    );
  });
  const llama: Llama = native.llama;
  if (settings.threads !== null && settings.threads > llama.maxThreads) llama.maxThreads = settings.threads;
  const machine = await collectMachineFingerprint(llama);

  const { size: modelSizeBytes } = await stat(modelPath);
  const layout = await readGgufLayout(modelPath, modelSizeBytes);
  const bytesPerToken = weightBytesPerToken(layout.tensors);

  // 1. Cold load.
  const peakReset = resetPeakRss();
  const baselineRss = currentRss();
  const residency = native.addon.evictFromPageCache(modelPath);
  if (!residency.evictSupported)
    warnings.push(
      "could not drop the model from the page cache: the cold load is only a first load in a fresh process",
    );
  else if (residency.residentAfter !== null && residency.residentAfter > 0.01) {
    warnings.push(
      `${(residency.residentAfter * 100).toFixed(0)} % of the model file stayed in the page cache (mapped elsewhere?): the cold load was partly warm`,
    );
  }
  const gpuLayersOption = settings.gpuLayers;
  const vramBefore = llama.gpu !== false ? (await llama.getVramState()).used : null;
  log(`loading ${modelPath} (cold)`);
  let start = process.hrtime.bigint();
  let model: LlamaModel = await llama.loadModel({ modelPath, gpuLayers: gpuLayersOption });
  const coldLoadMs = msSince(start);
  progress("cold load");

  // 2. Warm loads; the last model loaded is the one measured.
  const warmLoadMs: number[] = [];
  for (let i = 0; i < settings.warmLoads; i++) {
    checkCancel();
    await model.dispose();
    start = process.hrtime.bigint();
    model = await llama.loadModel({ modelPath, gpuLayers: gpuLayersOption });
    warmLoadMs.push(msSince(start));
    progress(`warm load ${i + 1}/${settings.warmLoads}`);
  }

  let context: LlamaContext | undefined;
  try {
    const contextSize = settings.contextSize ?? defaultContextSize(settings);
    const threads = settings.threads ?? llama.cpuMathCores;
    start = process.hrtime.bigint();
    context = await model.createContext({
      contextSize,
      batchSize: settings.batchSize,
      sequences: 1,
      threads: { ideal: threads, min: threads },
      flashAttention: settings.flashAttention === "auto" ? "auto" : settings.flashAttention === "on",
    });
    const contextCreateMs = msSince(start);
    const sequence = context.getSequence();
    const vramAfter = llama.gpu !== false ? (await llama.getVramState()).used : null;

    let vocabularySize = 0;
    for (const _token of model.iterateAllTokens()) vocabularySize++;
    const bos = model.tokens.bos !== null && model.tokens.shouldPrependBosToken ? model.tokens.bos : null;
    const random = seededRandom(settings.seed);
    // Token is a branded number in node-llama-cpp; random ids from the vocabulary are valid tokens.
    const prompt = (length: number): Token[] => randomTokens(random, vocabularySize, length, bos) as Token[];

    const longest = Math.max(
      ...settings.promptLengths,
      settings.generationPromptTokens + settings.generateTokens,
    );
    if (longest > context.contextSize) {
      throw new CodedError(
        "CONTEXT_TOO_SMALL",
        `the longest test needs ${longest} tokens but the context holds ${context.contextSize}`,
        { remedies: ["raise-context"] },
      );
    }

    const generate = async (): Promise<{ ttftMs: number; tokenTimesMs: number[] }> => {
      await sequence.clearHistory();
      const input = prompt(settings.generationPromptTokens);
      const tokenTimesMs: number[] = [];
      const submitted = process.hrtime.bigint();
      for await (const _token of sequence.evaluate(input, { temperature: 0 })) {
        tokenTimesMs.push(msSince(submitted));
        if (tokenTimesMs.length >= settings.generateTokens) break;
        if (hooks.signal?.aborted) break;
      }
      checkCancel();
      return { ttftMs: tokenTimesMs[0]!, tokenTimesMs };
    };

    // Warm-up: one prompt pass at the shortest length and one short generation per round.
    for (let i = 0; i < settings.warmupReps; i++) {
      checkCancel();
      await sequence.clearHistory();
      await sequence.evaluateWithoutGeneratingNewTokens(prompt(Math.min(...settings.promptLengths)));
      progress("warm-up: prompt");
      await sequence.clearHistory();
      let count = 0;
      for await (const _token of sequence.evaluate(prompt(8), { temperature: 0 })) if (++count >= 4) break;
      progress("warm-up: generation");
    }

    // The timed part (3, 4 and 6) is watched for other work on the machine.
    const activity = watchMachineActivity();

    // 3. App prompt processing.
    const appPromptTokensPerSecond = new Map<number, number[]>();
    for (const length of settings.promptLengths) {
      const rates: number[] = [];
      for (let rep = 0; rep < settings.reps; rep++) {
        checkCancel();
        await sequence.clearHistory();
        const tokens = prompt(length);
        start = process.hrtime.bigint();
        await sequence.evaluateWithoutGeneratingNewTokens(tokens);
        rates.push(length / (msSince(start) / 1000));
        progress(`node-llama-cpp prompt ${length} tokens: rep ${rep + 1}/${settings.reps}`);
      }
      appPromptTokensPerSecond.set(length, rates);
    }

    // 4. App generation.
    const appGenerationTokensPerSecond: number[] = [];
    const ttftMs: number[] = [];
    const interTokenMs: number[] = [];
    for (let rep = 0; rep < settings.reps; rep++) {
      checkCancel();
      const run = await generate();
      const times = run.tokenTimesMs;
      if (times.length < 2) throw new Error(`generation stopped after ${times.length} token(s)`);
      ttftMs.push(run.ttftMs);
      for (let i = 1; i < times.length; i++) interTokenMs.push(times[i]! - times[i - 1]!);
      appGenerationTokensPerSecond.push((times.length - 1) / ((times[times.length - 1]! - times[0]!) / 1000));
      progress(`node-llama-cpp generation: rep ${rep + 1}/${settings.reps}`);
    }
    await sequence.clearHistory();

    // 5. Memory, before anything else allocates.
    const peak = peakRss();
    const gpuLayers = model.gpuLayers;
    const flashAttention = context.flashAttention;
    const insights = model.fileInsights;
    // The V1 estimators are pure arithmetic; V2 would load the model again in a simulator.
    const estimateModel = insights.estimateModelResourceRequirements({ gpuLayers, useMmap: model.useMmap });
    const estimateContext = insights.estimateContextResourceRequirements({
      contextSize: context.contextSize,
      modelGpuLayers: gpuLayers,
      batchSize: context.batchSize,
      sequences: 1,
      // The estimator needs a decision; llama.cpp's "auto" enables it wherever the backend supports it.
      flashAttention: flashAttention === "auto" ? model.flashAttentionSupported : flashAttention,
    });

    const resolved: ResolvedBenchSettings = {
      ...settings,
      method: benchMethod,
      threads: context.currentThreads || threads,
      contextSize: context.contextSize,
      batchSize: context.batchSize,
      gpuLayers,
      backend: llama.gpu === false ? "cpu" : llama.gpu,
      flashAttention,
    };

    await context.dispose();
    context = undefined;
    await model.dispose();

    // 6. Engine pp and tg, llama-bench's method, with the settings node-llama-cpp resolved.
    checkCancel();
    log("prompt processing and generation with llama-bench's method");
    const engineUnits = settings.reps * (settings.promptLengths.length + 1);
    const engineStart = doneUnits;
    const engine = await runEngineBench(native.addon, modelPath, resolved, {
      signal: hooks.signal,
      onProgress: (fraction, step) =>
        hooks.onProgress?.(Math.min(1, (engineStart + fraction * engineUnits) / totalUnits), step),
    }).catch((error: unknown) => {
      checkCancel();
      throw error;
    });
    progress("llama-bench method: done", engineUnits);
    const interference = assessInterference(
      activity.stop(),
      [
        ...[...engine.promptTokensPerSecond].map(([length, values]) => ({ name: `pp.${length}`, values })),
        { name: `tg.${settings.generateTokens}`, values: engine.generationTokensPerSecond },
        ...[...appPromptTokensPerSecond].map(([length, values]) => ({ name: `app.pp.${length}`, values })),
        { name: `app.tg.${settings.generateTokens}`, values: appGenerationTokensPerSecond },
      ],
      resolved.threads,
    );
    for (const reason of interference.reasons) log(`noisy: ${reason}`);

    // 7. Bandwidth probe.
    let bandwidth: BenchDetails["bandwidth"] = null;
    if (settings.bandwidth) {
      checkCancel();
      log(`measuring memory bandwidth (${settings.bandwidthMiB} MiB buffer)`);
      const probe = await native.addon.measureBandwidth({ bufferMiB: settings.bandwidthMiB });
      bandwidth = {
        bytesPerSecond: probe.bytesPerSecond,
        threads: probe.threads,
        bufferBytes: probe.bufferBytes,
        roundSeconds: probe.roundSeconds,
      };
      progress("memory bandwidth", 3);
    }

    const samples: SpeedSamples = {
      coldLoadMs,
      warmLoadMs,
      contextCreateMs,
      promptTokensPerSecond: engine.promptTokensPerSecond,
      generationTokensPerSecond: engine.generationTokensPerSecond,
      app: {
        promptTokensPerSecond: appPromptTokensPerSecond,
        generationTokensPerSecond: appGenerationTokensPerSecond,
      },
      generateTokens: settings.generateTokens,
      ttftMs,
      interTokenMs,
      peakRssBytes: peak.bytes,
      baselineRssBytes: baselineRss,
      estimateBytes: estimateModel.cpuRam + estimateContext.cpuRam,
      vramUsedBytes: vramBefore !== null && vramAfter !== null ? Math.max(0, vramAfter - vramBefore) : null,
      estimateVramBytes: llama.gpu !== false ? estimateModel.gpuVram + estimateContext.gpuVram : null,
      modelSizeBytes,
      weightBytesPerToken: bytesPerToken,
      bandwidthBytesPerSecond: bandwidth?.bytesPerSecond ?? null,
    };

    return {
      settings: resolved,
      machine,
      llamaBuild: native.buildLabel,
      nodeLlamaCpp: nodeLlamaCppVersion(),
      metrics: benchMetrics(samples),
      details: {
        modelPath,
        modelSizeBytes,
        coldLoad: {
          evictionRequested: residency.evictSupported,
          residentBefore: residency.residentBefore,
          residentAfter: residency.residentAfter,
        },
        memory: {
          source: peak.source,
          peakReset,
          estimateModelBytes: estimateModel.cpuRam,
          estimateContextBytes: estimateContext.cpuRam,
        },
        bandwidth,
        weightBytesPerToken: bytesPerToken,
        vocabularySize,
        backend: native.backend,
        warnings,
        interference,
      },
    };
  } finally {
    if (context && !context.disposed) await context.dispose();
    if (!model.disposed) await model.dispose();
  }
}
