// speculate, worker half: loads the target and the draft (same vocabulary, checked), then for each
// draft size and prompt runs greedy speculative decoding and the target alone `reps` times each,
// asserting every time that both wrote the same tokens, and reports counts, speeds and their spread.
import os from "node:os";
import type { LlamaContextSequence, LlamaModel, Token } from "node-llama-cpp";
import { collectMachineFingerprint, nodeLlamaCppVersion } from "../../core/machine/machineFingerprint.js";
import { CodedError } from "../../core/errors.js";
import {
  draftMaxSweep,
  type SpeculateCounts,
  type SpeculatePromptResult,
  type SpeculateSweepPoint,
  type SpreadValue,
} from "../../shared/domain/speculate.js";
import { mean, stddev } from "../../shared/metrics/stats.js";
import { defineRunner } from "../Runner.js";
import { loadNative } from "../native/loadAddon.js";
import { checkSameVocabulary } from "../speculate/checkSameVocabulary.js";
import { speculativeGenerate, targetGreedy } from "../speculate/speculativeDecode.js";
import { measureAppView } from "../speculate/appSpeculation.js";
import { measurePromptLookupOnly } from "../speculate/promptLookupOnly.js";

function spread(values: number[]): SpreadValue {
  return { mean: mean(values), stddev: stddev(values), samples: values.length };
}

function ratio(a: number, b: number): number | null {
  return b > 0 ? a / b : null;
}

function addCounts(total: SpeculateCounts, more: SpeculateCounts): SpeculateCounts {
  return {
    drafted: total.drafted + more.drafted,
    accepted: total.accepted + more.accepted,
    rounds: total.rounds + more.rounds,
    generated: total.generated + more.generated,
  };
}

export default defineRunner("speculate", async (params, context) => {
  const { settings } = params;
  const { llama, backend } = await loadNative({
    gpu: settings.gpu,
    allowSoftwareGpu: settings.allowSoftwareGpu,
    llamaBuild: settings.llamaBuild,
  });
  const threads = settings.threads ?? llama.cpuMathCores;
  // Without a draft model only the app view's prompt lookup can run (speculate/promptLookupOnly.ts).
  if (params.draft === null) return measurePromptLookupOnly({ llama, backend }, params, threads, context);
  context.progress(0, "loading the target and the draft");
  const models: LlamaModel[] = [];
  try {
    const target = await llama.loadModel({ modelPath: params.target.path, gpuLayers: settings.gpuLayers });
    models.push(target);
    const draft = await llama.loadModel({ modelPath: params.draft.path, gpuLayers: settings.gpuLayers });
    models.push(draft);
    await checkSameVocabulary(
      { model: target, path: params.target.path },
      { model: draft, path: params.draft.path },
    );

    const contextOptions = {
      contextSize: settings.contextSize,
      sequences: 1,
      threads: { ideal: threads, min: threads },
    };
    const targetContext = await target.createContext(contextOptions);
    const draftContext = await draft.createContext(contextOptions);
    const targetSequence = targetContext.getSequence();
    const draftSequence = draftContext.getSequence();
    const isEog = (token: Token) => target.isEogToken(token);
    const prompts = params.prompts.map((text) => {
      const tokens = target.tokenize(text);
      const bos = target.tokens.bos;
      return bos !== null && target.tokens.shouldPrependBosToken ? [bos, ...tokens] : tokens;
    });
    for (const [index, prompt] of prompts.entries()) {
      if (prompt.length + settings.maxTokens + 68 > targetContext.contextSize)
        throw new CodedError(
          "CONTEXT_TOO_SMALL",
          `prompt ${index + 1} (${prompt.length} tokens) and ${settings.maxTokens} new tokens do not fit in a ${targetContext.contextSize}-token context`,
        );
    }

    const draftSizes = settings.draftMax === "auto" ? [...draftMaxSweep] : [settings.draftMax];
    const steps = draftSizes.length * prompts.length * settings.reps;
    let done = 0;
    const points: SpeculateSweepPoint[] = [];
    for (const draftMax of draftSizes) {
      const results: SpeculatePromptResult[] = [];
      for (const [index, prompt] of prompts.entries()) {
        const specRates: number[] = [];
        const targetRates: number[] = [];
        const speedups: number[] = [];
        let draftMs = 0;
        let targetMs = 0;
        let first: Awaited<ReturnType<typeof speculativeGenerate>> | null = null;
        for (let rep = 0; rep < settings.reps; rep++) {
          context.progress(
            done / steps,
            `draft size ${draftMax}, prompt ${index + 1}/${prompts.length}, repetition ${rep + 1}/${settings.reps}`,
          );
          await clear(targetSequence, draftSequence);
          const spec = await speculativeGenerate(
            targetSequence,
            draftSequence,
            prompt,
            { ...settings, draftMax, isEog, signal: context.signal },
            targetContext.contextSize,
          );
          await clear(targetSequence, draftSequence);
          const alone = await targetGreedy(targetSequence, prompt, spec.tokens.length, isEog, context.signal);
          assertSameTokens(spec.tokens, alone.tokens, index, draftMax);
          const specRate = ratio(spec.tokens.length, spec.totalMs / 1000) ?? 0;
          const aloneRate = ratio(alone.tokens.length, alone.totalMs / 1000) ?? 0;
          specRates.push(specRate);
          targetRates.push(aloneRate);
          speedups.push(ratio(specRate, aloneRate) ?? 0);
          draftMs += spec.draftMs;
          targetMs += spec.targetMs;
          first ??= spec;
          done++;
        }
        const { counts, tokens, acceptedMask } = first!;
        results.push({
          prompt: params.prompts[index]!,
          counts,
          acceptanceRate: ratio(counts.accepted, counts.drafted),
          meanAcceptedLength: ratio(counts.accepted, counts.rounds),
          text: target.detokenize(tokens),
          acceptedMask,
          speculativeTokensPerSecond: spread(specRates),
          targetTokensPerSecond: spread(targetRates),
          speedup: spread(speedups),
          draftTimeShare: ratio(draftMs, draftMs + targetMs) ?? 0,
          targetTimeShare: ratio(targetMs, draftMs + targetMs) ?? 0,
        });
      }
      const counts = results.reduce((sum, r) => addCounts(sum, r.counts), {
        drafted: 0,
        accepted: 0,
        rounds: 0,
        generated: 0,
      });
      // Overall speeds: per repetition, the mean over prompts, so the spread is the repetitions'.
      const perRep = (pick: (r: SpeculatePromptResult) => SpreadValue) =>
        spread(results.map((r) => pick(r).mean));
      points.push({
        draftMax,
        prompts: results,
        counts,
        acceptanceRate: ratio(counts.accepted, counts.drafted),
        meanAcceptedLength: ratio(counts.accepted, counts.rounds),
        speedup: perRep((r) => r.speedup),
        speculativeTokensPerSecond: perRep((r) => r.speculativeTokensPerSecond),
        targetTokensPerSecond: perRep((r) => r.targetTokensPerSecond),
      });
      context.log(
        "info",
        `draft size ${draftMax}: drafted ${counts.drafted}, accepted ${counts.accepted}, speedup ${points.at(-1)!.speedup.mean.toFixed(2)}x`,
      );
    }
    const best = points.reduce((a, b) => (b.speedup.mean > a.speedup.mean ? b : a));
    // The app view: node-llama-cpp's own token predictors on the same prompts (appSpeculation.ts).
    const appView = settings.appView
      ? await measureAppView(
          {
            target,
            draft,
            prompts,
            promptTexts: params.prompts,
            ...settings,
            threads,
            predictMax: best.draftMax,
          },
          context,
        )
      : null;
    context.progress(1, "done");
    return {
      points,
      bestDraftMax: best.draftMax,
      memory: { targetBytes: target.size, draftBytes: draft.size },
      machine: await collectMachineFingerprint(llama),
      llamaBuild: llama.llamaCppRelease.release,
      nodeLlamaCpp: nodeLlamaCppVersion(),
      backend,
      settings: { ...settings, threads },
      loadAverage: os.loadavg(),
      appView,
    };
  } finally {
    for (const model of models.reverse()) await model.dispose();
  }
});

async function clear(...sequences: LlamaContextSequence[]): Promise<void> {
  for (const sequence of sequences) await sequence.clearHistory();
}

function assertSameTokens(spec: Token[], alone: Token[], prompt: number, draftMax: number): void {
  const length = Math.max(spec.length, alone.length);
  for (let i = 0; i < length; i++) {
    if (spec[i] !== alone[i])
      throw new CodedError(
        "SPECULATIVE_OUTPUT_DIFFERS",
        `prompt ${prompt + 1}, draft size ${draftMax}: token ${i} is ${spec[i] ?? "missing"} with the draft and ${alone[i] ?? "missing"} from the target alone`,
      );
  }
}
