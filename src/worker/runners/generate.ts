// generate, worker half: loads each model in turn (one at a time, so peak memory is one model),
// feeds it the same prompt and records the text and its speed. Greedy by default, so two runs of
// the same variant write the same text; a seed switches to seeded sampling. A side may run with one of
// node-llama-cpp's token predictors (a draft model or prompt lookup); its predicted tokens are marked.
import {
  DraftSequenceTokenPredictor,
  InputLookupTokenPredictor,
  type LlamaContext,
  type LlamaModel,
  type Token,
  type TokenPredictor,
} from "node-llama-cpp";
import type { GenerateOutput, GenerateSpeculation } from "../../shared/domain/generate.js";
import { defineRunner } from "../Runner.js";
import { loadNative } from "../native/loadAddon.js";
import { checkSameVocabulary } from "../speculate/checkSameVocabulary.js";
import { generateWithPredictor, tokenPieces } from "../speculate/generateWithPredictor.js";

function msSince(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** node-llama-cpp's predictor for a side, as an app would configure it (greedy or seeded alike). */
function predictorFor(
  speculation: GenerateSpeculation | null,
  draftContext: LlamaContext | null,
): TokenPredictor | undefined {
  if (speculation?.predictor === "inputLookup")
    return new InputLookupTokenPredictor({ predictionLength: { min: 1, max: speculation.predictMax } });
  if (speculation?.predictor === "draft" && draftContext)
    return new DraftSequenceTokenPredictor(draftContext.getSequence(), {
      // The target waits for at least one proposal and every proposal is checked, so the marks show
      // where the draft agrees rather than whether it happened to be ready in time.
      maxTokens: speculation.predictMax,
      minTokens: 1,
      minConfidence: 0,
    });
  return undefined;
}

export default defineRunner("generate", async (params, context) => {
  // The addon is loaded with node-llama-cpp so the build and devices are chosen and recorded as for
  // every other kind (a software Vulkan device only when allowed).
  const { llama, backend } = await loadNative({
    gpu: params.gpu,
    allowSoftwareGpu: params.allowSoftwareGpu,
    llamaBuild: params.llamaBuild,
  });
  const threads = params.threads ?? llama.cpuMathCores;
  const outputs: GenerateOutput[] = [];
  const total = params.models.length;
  context.log(
    "info",
    `generating ${params.maxTokens} tokens with ${total} model(s), ${params.seed === null ? "greedy" : `seed ${params.seed}`}`,
  );

  for (const [index, entry] of params.models.entries()) {
    if (context.signal.aborted) throw new Error("generation cancelled");
    const name = entry.path.split(/[/\\]/).pop() ?? entry.path;
    context.progress(index / total, `loading ${name} (${index + 1}/${total})`);
    const start = process.hrtime.bigint();
    const model: LlamaModel = await llama.loadModel({ modelPath: entry.path, gpuLayers: params.gpuLayers });
    const loadMs = msSince(start);
    // A side with a draft holds two models at once (the draft is loaded after the target's timing).
    let draft: LlamaModel | null = null;
    try {
      if (entry.speculation?.predictor === "draft") {
        const { path } = entry.speculation.draft;
        draft = await llama.loadModel({ modelPath: path, gpuLayers: params.gpuLayers });
        await checkSameVocabulary({ model, path: entry.path }, { model: draft, path });
      }
      // Like the benchmark: the math cores, not every hardware thread (oversubscribed threads spin
      // and make generation many times slower), so these rates are comparable with the bench's.
      const contextOptions = {
        contextSize: params.contextSize,
        sequences: 1,
        threads: { ideal: threads, min: threads },
      };
      const ctx = await model.createContext(contextOptions);
      const draftCtx = draft ? await draft.createContext(contextOptions) : null;
      try {
        const sequence = ctx.getSequence({ tokenPredictor: predictorFor(entry.speculation, draftCtx) });
        const prompt = model.tokenize(params.prompt);
        const bos = model.tokens.bos;
        const input: Token[] = bos !== null && model.tokens.shouldPrependBosToken ? [bos, ...prompt] : prompt;
        const budget = Math.min(params.maxTokens, ctx.contextSize - input.length - 1);
        if (budget < 1)
          throw new RangeError(
            `the prompt (${input.length} tokens) leaves no room in a ${ctx.contextSize}-token context`,
          );
        const run = await generateWithPredictor(sequence, input, {
          maxTokens: budget,
          seed: params.seed,
          signal: context.signal,
          inputTokens: input,
          onToken(count) {
            if (count % 8 === 0)
              context.progress((index + count / budget) / total, `${name}: ${count}/${budget} tokens`);
          },
        });
        const times = run.tokenTimesMs;
        const span = times.length >= 2 ? (times[times.length - 1]! - times[0]!) / 1000 : 0;
        const speculation = entry.speculation;
        const output: GenerateOutput = {
          modelId: entry.modelId,
          text: model.detokenize(run.tokens),
          tokens: run.tokens.length,
          tokensPerSecond: span > 0 ? (times.length - 1) / span : null,
          ttftMs: times[0] ?? null,
          loadMs,
          stopReason: run.stopReason,
          speculation: speculation && {
            predictor: speculation.predictor,
            draftModelId: speculation.predictor === "draft" ? speculation.draft.modelId : null,
            counts: run.counts,
            acceptanceRate: run.counts.drafted > 0 ? run.counts.accepted / run.counts.drafted : null,
            acceptedMask: run.acceptedMask,
            pieces: tokenPieces((tokens) => model.detokenize(tokens), run.tokens),
          },
        };
        context.log(
          "info",
          `${name}: ${output.tokens} tokens, ${output.tokensPerSecond?.toFixed(1) ?? "?"} tok/s, first token after ${output.ttftMs?.toFixed(0) ?? "?"} ms` +
            (output.speculation
              ? `, ${output.speculation.counts.used} predicted tokens written (${output.speculation.counts.accepted} of ${output.speculation.counts.drafted} accepted)`
              : ""),
        );
        outputs.push(output);
      } finally {
        await ctx.dispose();
        await draftCtx?.dispose();
      }
    } finally {
      await draft?.dispose();
      await model.dispose();
    }
  }
  context.progress(1, "done");
  return { prompt: params.prompt, outputs, backend };
});
