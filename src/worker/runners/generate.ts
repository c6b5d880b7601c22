// generate, worker half: loads each model in turn (one at a time, so peak memory is one model),
// feeds it the same prompt and records the text and its speed. Greedy by default, so two runs of
// the same variant write the same text; a seed switches to seeded sampling.
import type { LlamaModel, Token } from "node-llama-cpp";
import type { GenerateOutput } from "../../shared/domain/generate.js";
import { defineRunner } from "../Runner.js";
import { loadNative } from "../native/loadAddon.js";

function msSince(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e6;
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
  const sampling = params.seed === null ? { temperature: 0 } : { temperature: 0.8, seed: params.seed };
  context.log(
    "info",
    `generating ${params.maxTokens} tokens with ${total} model(s), ${params.seed === null ? "greedy" : `seed ${params.seed}`}`,
  );

  for (const [index, entry] of params.models.entries()) {
    if (context.signal.aborted) throw new Error("generation cancelled");
    const name = entry.path.split(/[/\\]/).pop() ?? entry.path;
    context.progress(index / total, `loading ${name} (${index + 1}/${total})`);
    let start = process.hrtime.bigint();
    const model: LlamaModel = await llama.loadModel({ modelPath: entry.path, gpuLayers: params.gpuLayers });
    const loadMs = msSince(start);
    try {
      const ctx = await model.createContext({
        contextSize: params.contextSize,
        sequences: 1,
        // Like the benchmark: the math cores, not every hardware thread (oversubscribed threads spin
        // and make generation many times slower), so these rates are comparable with the bench's.
        threads: { ideal: threads, min: threads },
      });
      try {
        const sequence = ctx.getSequence();
        const prompt = model.tokenize(params.prompt);
        const bos = model.tokens.bos;
        const input: Token[] = bos !== null && model.tokens.shouldPrependBosToken ? [bos, ...prompt] : prompt;
        const budget = Math.min(params.maxTokens, ctx.contextSize - input.length - 1);
        if (budget < 1)
          throw new RangeError(
            `the prompt (${input.length} tokens) leaves no room in a ${ctx.contextSize}-token context`,
          );
        const generated: Token[] = [];
        const times: number[] = [];
        let stopReason: GenerateOutput["stopReason"] = "maxTokens";
        start = process.hrtime.bigint();
        for await (const token of sequence.evaluate(input, { ...sampling, yieldEogToken: true })) {
          times.push(msSince(start));
          if (model.isEogToken(token)) {
            stopReason = "eos";
            break;
          }
          generated.push(token);
          if (generated.length % 8 === 0) {
            context.progress(
              (index + generated.length / budget) / total,
              `${name}: ${generated.length}/${budget} tokens`,
            );
          }
          if (generated.length >= budget || context.signal.aborted) break;
        }
        const span = times.length >= 2 ? (times[times.length - 1]! - times[0]!) / 1000 : 0;
        const output: GenerateOutput = {
          modelId: entry.modelId,
          text: model.detokenize(generated),
          tokens: generated.length,
          tokensPerSecond: span > 0 ? (times.length - 1) / span : null,
          ttftMs: times[0] ?? null,
          loadMs,
          stopReason,
        };
        context.log(
          "info",
          `${name}: ${output.tokens} tokens, ${output.tokensPerSecond?.toFixed(1) ?? "?"} tok/s, first token after ${output.ttftMs?.toFixed(0) ?? "?"} ms`,
        );
        outputs.push(output);
      } finally {
        await ctx.dispose();
      }
    } finally {
      await model.dispose();
    }
  }
  context.progress(1, "done");
  return { prompt: params.prompt, outputs, backend };
});
