// The app view of `cwb speculate`: what an app on node-llama-cpp gets from its own token predictors,
// measured on the same prompts as the engine view. Three sequences of one target context write each
// prompt greedily through `sequence.evaluate`: without a predictor, with DraftSequenceTokenPredictor
// on the draft model (when there is one) and with InputLookupTokenPredictor (prompt lookup, no draft).
// The predicted outputs must equal the plain one; the repetitions interleave the three, so a change of
// the machine's load hits them alike.
import {
  DraftSequenceTokenPredictor,
  InputLookupTokenPredictor,
  type LlamaContextSequence,
  type LlamaModel,
  type Token,
} from "node-llama-cpp";
import { CodedError } from "../../core/errors.js";
import {
  spreadOf,
  type AppPredictionCounts,
  type AppPredictorPrompt,
  type AppPredictorResult,
  type SpeculateAppView,
} from "../../shared/domain/speculate.js";
import { mean } from "../../shared/metrics/stats.js";
import type { RunnerContext } from "../Runner.js";
import { generateWithPredictor, type PredictedGeneration } from "./generateWithPredictor.js";

export interface AppViewInput {
  target: LlamaModel;
  /** null: prompt lookup only. */
  draft: LlamaModel | null;
  /** Tokenized prompts (with the BOS the target wants). */
  prompts: Token[][];
  promptTexts: string[];
  maxTokens: number;
  reps: number;
  contextSize: number;
  threads: number;
  /** Most tokens predicted per step (the draft's maxTokens, prompt lookup's longest prediction). */
  predictMax: number;
  /** The draft predictor's minTokens and minConfidence (llama.cpp's n_min and p_min). */
  draftMin: number;
  pMin: number;
}

type Mode = "plain" | "draft" | "inputLookup";

interface PromptSamples {
  first: Partial<Record<Mode, PredictedGeneration>>;
  rates: Record<Mode, number[]>;
}

const ratePerSecond = (run: PredictedGeneration) =>
  run.totalMs > 0 ? run.tokens.length / (run.totalMs / 1000) : 0;

export async function measureAppView(input: AppViewInput, context: RunnerContext): Promise<SpeculateAppView> {
  const threads = { ideal: input.threads, min: input.threads };
  const modes: Mode[] = input.draft ? ["plain", "draft", "inputLookup"] : ["plain", "inputLookup"];
  const targetContext = await input.target.createContext({
    contextSize: input.contextSize,
    sequences: modes.length,
    threads,
  });
  const draftContext = input.draft
    ? await input.draft.createContext({ contextSize: input.contextSize, sequences: 1, threads })
    : null;
  try {
    const sequences: Partial<Record<Mode, LlamaContextSequence>> = {
      plain: targetContext.getSequence(),
      inputLookup: targetContext.getSequence({
        tokenPredictor: new InputLookupTokenPredictor({
          predictionLength: { min: 1, max: input.predictMax },
        }),
      }),
    };
    if (draftContext)
      sequences.draft = targetContext.getSequence({
        tokenPredictor: new DraftSequenceTokenPredictor(draftContext.getSequence(), {
          maxTokens: input.predictMax,
          minTokens: input.draftMin,
          minConfidence: input.pMin,
        }),
      });

    const steps = input.prompts.length * input.reps;
    const samples: PromptSamples[] = [];
    for (const [index, prompt] of input.prompts.entries()) {
      const entry: PromptSamples = { first: {}, rates: { plain: [], draft: [], inputLookup: [] } };
      for (let rep = 0; rep < input.reps; rep++) {
        context.progress(
          (index * input.reps + rep) / steps,
          `app view: prompt ${index + 1}/${input.prompts.length}, repetition ${rep + 1}/${input.reps}`,
        );
        let plainTokens: Token[] | null = null;
        for (const mode of modes) {
          const sequence = sequences[mode]!;
          await sequence.clearHistory();
          // The prompt is read before the clock starts, as in the engine view.
          const head = prompt.slice(0, -1);
          if (head.length > 0) await sequence.evaluateWithoutGeneratingNewTokens(head);
          const run = await generateWithPredictor(sequence, prompt.slice(-1), {
            maxTokens: input.maxTokens,
            seed: null,
            signal: context.signal,
            inputTokens: prompt,
          });
          if (plainTokens === null) plainTokens = run.tokens;
          else assertSameOutput(run.tokens, plainTokens, index, mode);
          entry.rates[mode].push(ratePerSecond(run));
          entry.first[mode] ??= run;
        }
      }
      samples.push(entry);
    }

    const predictorResult = (mode: Mode): AppPredictorResult => {
      const prompts = samples.map((entry, index): AppPredictorPrompt => {
        const run = entry.first[mode]!;
        const speedups = entry.rates[mode].map((rate, rep) => ratio(rate, entry.rates.plain[rep]!) ?? 0);
        return {
          prompt: input.promptTexts[index]!,
          counts: run.counts,
          acceptanceRate: ratio(run.counts.accepted, run.counts.drafted),
          text: input.target.detokenize(run.tokens),
          acceptedMask: run.acceptedMask,
          tokensPerSecond: spreadOf(entry.rates[mode]),
          speedup: spreadOf(speedups),
        };
      });
      const counts = prompts.reduce<AppPredictionCounts>(
        (sum, p) => ({
          drafted: sum.drafted + p.counts.drafted,
          accepted: sum.accepted + p.counts.accepted,
          used: sum.used + p.counts.used,
        }),
        { drafted: 0, accepted: 0, used: 0 },
      );
      return {
        prompts,
        counts,
        acceptanceRate: ratio(counts.accepted, counts.drafted),
        tokensPerSecond: perRepetition(samples.map((entry) => entry.rates[mode])),
        speedup: perRepetition(
          samples.map((entry) =>
            entry.rates[mode].map((rate, rep) => ratio(rate, entry.rates.plain[rep]!) ?? 0),
          ),
        ),
      };
    };

    const view: SpeculateAppView = {
      maxTokens: input.maxTokens,
      predictMax: input.predictMax,
      baselineTokensPerSecond: perRepetition(samples.map((entry) => entry.rates.plain)),
      baselinePrompts: samples.map((entry, index) => ({
        prompt: input.promptTexts[index]!,
        tokensPerSecond: spreadOf(entry.rates.plain),
      })),
      draft: input.draft ? predictorResult("draft") : null,
      inputLookup: predictorResult("inputLookup"),
    };
    context.log(
      "info",
      `app view: prompt lookup accepted ${view.inputLookup.counts.accepted} of ${view.inputLookup.counts.drafted}` +
        (view.draft
          ? `, draft predictor accepted ${view.draft.counts.accepted} of ${view.draft.counts.drafted}`
          : ""),
    );
    return view;
  } finally {
    await targetContext.dispose();
    await draftContext?.dispose();
  }
}

function ratio(a: number, b: number): number | null {
  return b > 0 ? a / b : null;
}

/** Per repetition the mean over prompts, spread over the repetitions. */
function perRepetition(perPrompt: number[][]) {
  const reps = Math.min(...perPrompt.map((values) => values.length));
  return spreadOf(Array.from({ length: reps }, (_, rep) => mean(perPrompt.map((values) => values[rep]!))));
}

function assertSameOutput(tokens: Token[], plain: Token[], prompt: number, mode: Mode): void {
  const length = Math.max(tokens.length, plain.length);
  for (let i = 0; i < length; i++) {
    if (tokens[i] !== plain[i])
      throw new CodedError(
        "SPECULATIVE_OUTPUT_DIFFERS",
        `app view, prompt ${prompt + 1}, ${mode === "draft" ? "draft predictor" : "prompt lookup"}: token ${i} is ${tokens[i] ?? "missing"} with the predictor and ${plain[i] ?? "missing"} without it`,
      );
  }
}
