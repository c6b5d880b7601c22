// The native half of an evaluation, run in a worker process (never opens the database): one base pass
// that writes the compact base distributions (skipped when a cached file is given), then one pass per
// variant against that file. N variants cost N + 1 passes, where llama-perplexity needs 2N.
import type { BasePassOutput, EvalSettings, EvaluationOutput } from "../../shared/domain/eval.js";
import { collectMachineFingerprint } from "../../core/machine/machineFingerprint.js";
import type { EvaluateOptions, EvaluateResult, NativeJobEvent } from "../native/AddonTypes.js";
import { loadNative } from "../native/loadAddon.js";
import { runNativeTask } from "../native/nativeTask.js";
import { nativeGpuLayers } from "../native/planGpu.js";
import type { BackendUsed, GpuSettingsInput } from "../../shared/domain/gpu.js";
import { baseSelfFigures, evalFigures } from "../../core/eval/evalFigures.js";

export interface EvaluationPlan {
  base: { modelId: string; path: string };
  variants: readonly { modelId: string; path: string }[];
  textPath: string;
  settings: EvalSettings;
  /** An existing compact base file for these settings, or null to compute one into writeBaseCacheTo. */
  baseCachePath: string | null;
  writeBaseCacheTo: string | null;
}

// The worker's value crosses to the parent, so its shape is declared in shared (one contract).
export type { BasePassOutput, EvaluationOutput } from "../../shared/domain/eval.js";

export interface EvaluationHooks {
  signal?: AbortSignal;
  /** fraction of all passes, a step in words, seconds left (after the first chunk). */
  onProgress?: (fraction: number, step: string, etaSeconds?: number) => void;
  log?: (message: string) => void;
  /** Validation only: also compute the exact full-vocabulary KLD by decoding the base in lockstep. */
  exactKld?: boolean;
}

/** Runs one native evaluation pass as a promise that an AbortSignal can stop. */
export async function evaluatePass(
  gpuRequest: GpuSettingsInput,
  options: EvaluateOptions,
  signal: AbortSignal | undefined,
  onEvent: (event: NativeJobEvent) => void,
): Promise<EvaluateResult> {
  const { addon } = await loadNative(gpuRequest);
  signal?.throwIfAborted();
  return runNativeTask(addon.evaluate(options, onEvent), signal);
}

export function nativeOptions(
  plan: Pick<EvaluationPlan, "settings">,
  threads: number,
  backend: BackendUsed,
): Pick<
  EvaluateOptions,
  "nCtx" | "nChunks" | "nBatch" | "nThreads" | "nGpuLayers" | "topKMax" | "topMass" | "tailSamples"
> {
  const s = plan.settings;
  return {
    nGpuLayers: nativeGpuLayers(s.gpuLayers, backend),
    nCtx: s.contextSize,
    nChunks: s.chunks ?? -1,
    nBatch: s.batchSize,
    nThreads: threads,
    topKMax: s.topKMax,
    topMass: s.topMass,
    tailSamples: s.tailSamples,
  };
}

export async function runEvaluation(
  plan: EvaluationPlan,
  hooks: EvaluationHooks = {},
): Promise<EvaluationOutput> {
  const gpuRequest = {
    gpu: plan.settings.gpu,
    allowSoftwareGpu: plan.settings.allowSoftwareGpu,
    llamaBuild: plan.settings.llamaBuild,
  };
  const { llama, backend, buildLabel } = await loadNative(gpuRequest);
  const threads = plan.settings.threads ?? llama.cpuMathCores;
  const passes = (plan.baseCachePath ? 0 : 1) + plan.variants.length;
  let passIndex = 0;
  let secondsPerChunk: number | null = null;
  let chunksTotal = 0;
  const progressFor = (label: string) => {
    // The pass reports chunk 0 when its chunk loop starts (after loading and tokenizing): the clock for its rate.
    let loopStarted = performance.now();
    return (event: NativeJobEvent) => {
      if (event.type !== "progress" || event.done === undefined || event.total === undefined) return;
      const { done, total } = event;
      if (done === 0) loopStarted = performance.now();
      chunksTotal = total;
      if (done > 0) secondsPerChunk = (performance.now() - loopStarted) / 1000 / done;
      const within = total > 0 ? done / total : 0;
      const chunksLeft = (passes - passIndex - within) * total;
      const eta = secondsPerChunk !== null ? chunksLeft * secondsPerChunk : undefined;
      hooks.onProgress?.((passIndex + within) / passes, `${label}: chunk ${done} of ${total}`, eta);
    };
  };

  let basePath = plan.baseCachePath;
  let base: BasePassOutput | null = null;
  let chunks = 0;
  if (!basePath) {
    if (!plan.writeBaseCacheTo)
      throw new Error("runEvaluation: neither a base cache file nor a place to write one");
    hooks.log?.(`base pass: ${plan.base.path}`);
    const r = await evaluatePass(
      gpuRequest,
      {
        modelPath: plan.base.path,
        textPath: plan.textPath,
        writeBasePath: plan.writeBaseCacheTo,
        ...nativeOptions(plan, threads, backend),
      },
      hooks.signal,
      progressFor("base"),
    );
    if (!r.baseFile) throw new Error("the base pass wrote no base file");
    base = {
      figures: baseSelfFigures(r.nll),
      evalSeconds: r.timings.evalMs / 1000,
      file: {
        path: r.baseFile.path,
        bytes: r.baseFile.bytes,
        meanK: r.baseFile.meanK,
        meanRestMass: r.baseFile.meanRestMass,
        maxRestMass: r.baseFile.maxRestMass,
      },
      nVocab: r.nVocab,
      nTokens: r.nTokens,
    };
    chunks = r.nChunks;
    basePath = plan.writeBaseCacheTo;
    passIndex++;
    hooks.log?.(
      `base: PPL ${base.figures.ppl.value.toFixed(4)} ± ${base.figures.ppl.uncertainty.toFixed(4)} over ${r.nChunks} chunks (${base.evalSeconds.toFixed(1)} s)`,
    );
  }

  const variants: EvaluationOutput["variants"] = [];
  for (const variant of plan.variants) {
    hooks.log?.(`variant pass: ${variant.path}`);
    const r = await evaluatePass(
      gpuRequest,
      {
        modelPath: variant.path,
        basePath,
        ...nativeOptions(plan, threads, backend),
        ...(hooks.exactKld ? { exactBaseModelPath: plan.base.path } : {}),
      },
      hooks.signal,
      progressFor(variant.modelId),
    );
    if (!r.baseNll || !r.kld || !r.sameTop) throw new Error("the variant pass returned no base comparison");
    const figures = evalFigures({ nll: r.nll, baseNll: r.baseNll, kld: r.kld, sameTop: r.sameTop });
    const exact = r.kldExact ? r.kldExact.reduce((s, x) => s + x, 0) / r.kldExact.length : undefined;
    variants.push({
      modelId: variant.modelId,
      figures,
      evalSeconds: r.timings.evalMs / 1000,
      ...(exact !== undefined ? { kldExactMean: exact } : {}),
    });
    chunks = r.nChunks;
    passIndex++;
    hooks.log?.(
      `${variant.modelId}: PPL ${figures.ppl.value.toFixed(4)}, KLD ${figures.kldMean.value.toFixed(6)} ± ${figures.kldMean.uncertainty.toFixed(6)} (${(r.timings.evalMs / 1000).toFixed(1)} s)`,
    );
  }
  hooks.onProgress?.(
    1,
    `evaluated ${plan.variants.length} variant(s) over ${chunks || chunksTotal} chunks`,
    0,
  );
  return {
    base,
    variants,
    chunks,
    contextSize: plan.settings.contextSize,
    threads,
    machine: await collectMachineFingerprint(llama),
    llamaBuild: buildLabel,
    backend,
  };
}
