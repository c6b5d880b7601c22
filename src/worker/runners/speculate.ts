// speculate, worker half: checks that the target and the draft share a vocabulary and tokenizes the
// prompts (node-llama-cpp, vocabulary only), then the addon's native loop (native/src/speculate.cpp)
// runs, for each draft size, prompt and repetition, one speculative generation and the target alone.
// Greedy runs must write exactly the target's own tokens: asserted on every repetition.
import os from "node:os";
import type { LlamaModel, Token } from "node-llama-cpp";
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
import type { SpeculateNativeRun } from "../native/AddonTypes.js";
import { runNativeTask } from "../native/nativeTask.js";
import { nativeGpuLayers } from "../native/planGpu.js";
import { checkSameVocabulary } from "../speculate/checkSameVocabulary.js";
import { forwardNativeEvents } from "./forwardNativeEvents.js";
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

const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);

/** Tokens/s of the speculative generation and of the target alone, and their ratio, of some runs together. */
function speeds(runs: SpeculateNativeRun[]): { spec: number; alone: number; speedup: number } {
  const spec = ratio(sum(runs.map((r) => r.tokens.length)), sum(runs.map((r) => r.totalSeconds))) ?? 0;
  const alone =
    ratio(sum(runs.map((r) => r.alone?.tokens.length ?? 0)), sum(runs.map((r) => r.alone?.seconds ?? 0))) ??
    0;
  return { spec, alone, speedup: ratio(spec, alone) ?? 0 };
}

export default defineRunner("speculate", async (params, context) => {
  const { settings } = params;
  const { llama, addon, backend } = await loadNative({
    gpu: settings.gpu,
    allowSoftwareGpu: settings.allowSoftwareGpu,
    llamaBuild: settings.llamaBuild,
  });
  const threads = settings.threads ?? llama.cpuMathCores;
  // Without a draft model only the app view's prompt lookup can run (speculate/promptLookupOnly.ts).
  if (params.draft === null) return measurePromptLookupOnly({ llama, backend }, params, threads, context);
  const greedy = settings.temperature === 0;
  context.progress(0, "reading the vocabularies");
  const models: LlamaModel[] = [];
  try {
    // Vocabulary only: the addon loads the weights; these tokenize, compare and detokenize.
    const target = await llama.loadModel({ modelPath: params.target.path, vocabOnly: true });
    models.push(target);
    const draft = await llama.loadModel({ modelPath: params.draft.path, vocabOnly: true });
    models.push(draft);
    await checkSameVocabulary(
      { model: target, path: params.target.path },
      { model: draft, path: params.draft.path },
    );
    const prompts = params.prompts.map((text) => {
      const tokens = target.tokenize(text);
      const bos = target.tokens.bos;
      return bos !== null && target.tokens.shouldPrependBosToken ? [bos, ...tokens] : tokens;
    });
    const draftSizes = settings.draftMax === "auto" ? [...draftMaxSweep] : [settings.draftMax];
    const longestDraft = Math.max(...draftSizes);
    for (const [index, prompt] of prompts.entries()) {
      if (prompt.length + settings.maxTokens + longestDraft + 2 > settings.contextSize)
        throw new CodedError(
          "CONTEXT_TOO_SMALL",
          `prompt ${index + 1} (${prompt.length} tokens) and ${settings.maxTokens} new tokens do not fit in a ${settings.contextSize}-token context`,
        );
    }

    context.progress(0, "loading the target and the draft");
    const native = await runNativeTask(
      addon.speculate(
        {
          targetPath: params.target.path,
          draftPath: params.draft.path,
          prompts: prompts.map((tokens) => Int32Array.from(tokens)),
          draftMax: draftSizes,
          maxTokens: settings.maxTokens,
          draftMin: settings.draftMin,
          pMin: settings.pMin,
          temperature: settings.temperature,
          seed: settings.seed,
          reps: settings.reps,
          contextSize: settings.contextSize,
          threads,
          gpuLayers: nativeGpuLayers(settings.gpuLayers, backend),
          corruptDraftEvery: settings.corruptDraftEvery,
        },
        forwardNativeEvents(context),
      ),
      context.signal,
    );
    if (greedy) for (const run of native.runs) assertSameTokens(run);

    const points: SpeculateSweepPoint[] = draftSizes.map((draftMax) => {
      const ofSize = native.runs.filter((run) => run.draftMax === draftMax);
      const results: SpeculatePromptResult[] = prompts.map((_, index) => {
        const reps = ofSize.filter((run) => run.prompt === index);
        const perRep = reps.map((run) => speeds([run]));
        const first = reps[0]!;
        const draftSeconds = sum(reps.map((r) => r.draftSeconds));
        const targetSeconds = sum(reps.map((r) => r.targetSeconds));
        const counts = first.counts;
        return {
          prompt: params.prompts[index]!,
          counts,
          acceptanceRate: ratio(counts.accepted, counts.drafted),
          meanAcceptedLength: ratio(counts.accepted, counts.rounds),
          text: target.detokenize([...first.tokens] as Token[]),
          acceptedMask: [...first.acceptedMask].map((flag) => flag === 1),
          speculativeTokensPerSecond: spread(perRep.map((s) => s.spec)),
          targetTokensPerSecond: spread(perRep.map((s) => s.alone)),
          speedup: spread(perRep.map((s) => s.speedup)),
          draftTimeShare: ratio(draftSeconds, draftSeconds + targetSeconds) ?? 0,
          targetTimeShare: ratio(targetSeconds, draftSeconds + targetSeconds) ?? 0,
        };
      });
      const counts = results.reduce((total, r) => addCounts(total, r.counts), {
        drafted: 0,
        accepted: 0,
        rounds: 0,
        generated: 0,
      });
      // Overall: per repetition, every prompt's tokens over every prompt's time; the spread is over
      // repetitions (the prompts differ in length and difficulty, their spread is not noise).
      const overall = Array.from({ length: settings.reps }, (_, rep) =>
        speeds(ofSize.filter((run) => run.rep === rep)),
      );
      const point: SpeculateSweepPoint = {
        draftMax,
        prompts: results,
        counts,
        acceptanceRate: ratio(counts.accepted, counts.drafted),
        meanAcceptedLength: ratio(counts.accepted, counts.rounds),
        speedup: spread(overall.map((s) => s.speedup)),
        speculativeTokensPerSecond: spread(overall.map((s) => s.spec)),
        targetTokensPerSecond: spread(overall.map((s) => s.alone)),
      };
      context.log(
        "info",
        `draft size ${draftMax}: drafted ${counts.drafted}, accepted ${counts.accepted}, speedup ${point.speedup.mean.toFixed(2)}x`,
      );
      return point;
    });
    const best = points.reduce((a, b) => (b.speedup.mean > a.speedup.mean ? b : a));
    // The app view: node-llama-cpp's own token predictors on the same prompts (appSpeculation.ts),
    // on models loaded with their weights (the ones above hold only the vocabularies).
    const loadWeights = async (path: string) => {
      const model = await llama.loadModel({ modelPath: path, gpuLayers: settings.gpuLayers });
      models.push(model);
      return model;
    };
    const appView = settings.appView
      ? await measureAppView(
          {
            target: await loadWeights(params.target.path),
            draft: await loadWeights(params.draft.path),
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
      memory: { targetBytes: native.targetBytes, draftBytes: native.draftBytes },
      machine: await collectMachineFingerprint(llama),
      llamaBuild: llama.llamaCppRelease.release,
      nodeLlamaCpp: nodeLlamaCppVersion(),
      backend,
      settings: { ...settings, threads: native.threads },
      loadAverage: os.loadavg(),
      appView,
    };
  } finally {
    for (const model of models.reverse()) await model.dispose();
  }
});

/** Greedy speculative output must be the target's own, token for token. */
function assertSameTokens(run: SpeculateNativeRun): void {
  const alone = run.alone?.tokens ?? new Int32Array();
  const length = Math.max(run.tokens.length, alone.length);
  for (let i = 0; i < length; i++) {
    if (run.tokens[i] !== alone[i])
      throw new CodedError(
        "SPECULATIVE_OUTPUT_DIFFERS",
        `prompt ${run.prompt + 1}, draft size ${run.draftMax}, repetition ${run.rep + 1}: token ${i} is ${run.tokens[i] ?? "missing"} with the draft and ${alone[i] ?? "missing"} from the target alone`,
      );
  }
}
