// distill.data, worker half: the teacher continues each prompt (node-llama-cpp's sampler: temperature,
// top-p, seed + prompt index; greedy at temperature 0) and the samples, prompt and continuation, are
// written one after another, separated by a blank line. A set the parent found cached is only
// re-hashed. The parent (core/jobs/kinds/distillData.ts) records the file as a `distill-data` artifact.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { open } from "node:fs/promises";
import type { LlamaModel, Token } from "node-llama-cpp";
import { sampleSeparator, splitPrompts, type DistillDataJobParams } from "../../shared/domain/distillData.js";
import { CodedError } from "../../core/errors.js";
import { sha256File } from "../../core/library/hashFile.js";
import { loadNative } from "../native/loadAddon.js";
import { defineRunner } from "../Runner.js";

/** The prompts as token lists: the file's lines or paragraphs, or consecutive chunks of its tokens. */
function promptTokens(model: LlamaModel, params: DistillDataJobParams): Token[][] {
  const s = params.settings;
  const text = readFileSync(params.prompts.path, "utf8");
  const prompts =
    s.split === "chunks"
      ? chunkTokens(model.tokenize(text), s.chunkTokens)
      : splitPrompts(text, s.split).map((p) => model.tokenize(p));
  const kept = prompts.filter((p) => p.length > 0).slice(0, s.maxPrompts ?? undefined);
  if (kept.length === 0)
    throw new CodedError("BAD_DISTILL_SETTINGS", `${params.prompts.path}: no prompts in the file`, {
      file: params.prompts.path,
    });
  return kept;
}

function chunkTokens(tokens: Token[], size: number): Token[][] {
  const chunks: Token[][] = [];
  for (let i = 0; i < tokens.length; i += size) chunks.push(tokens.slice(i, i + size));
  return chunks;
}

export default defineRunner("distill.data", async (params, context) => {
  if (params.cached) {
    const { sha256, bytes } = await sha256File(params.cached.path, { signal: context.signal });
    if (sha256 !== params.cached.sha256)
      throw new CodedError(
        "FAILED",
        `${params.cached.path}: the recorded data set changed on disk (sha256 ${sha256.slice(0, 12)}, recorded ${params.cached.sha256.slice(0, 12)})`,
        { file: params.cached.path },
      );
    context.log("info", `data set ${params.cached.artifactId} reused (sha256 ${sha256.slice(0, 12)})`);
    return {
      path: params.cached.path,
      sha256,
      bytes,
      reused: true,
      samples: 0,
      promptTokens: 0,
      generatedTokens: 0,
      endedByTeacher: 0,
      seconds: 0,
    };
  }

  const s = params.settings;
  const { llama } = await loadNative();
  const threads = s.threads ?? llama.cpuMathCores;
  const model = await llama.loadModel({ modelPath: params.teacher.path, gpuLayers: 0 });
  const outPath = context.tempPath("distill-data.txt");
  const out = await open(outPath, "w");
  const hash = createHash("sha256");
  let bytes = 0;
  const write = async (text: string) => {
    const buffer = Buffer.from(text, "utf8");
    hash.update(buffer);
    bytes += buffer.length;
    await out.write(buffer);
  };
  try {
    const prompts = promptTokens(model, params);
    const ctx = await model.createContext({
      contextSize: s.contextSize,
      sequences: 1,
      threads: { ideal: threads, min: threads },
    });
    try {
      const sequence = ctx.getSequence();
      const bos = model.tokens.bos;
      const withBos = bos !== null && model.tokens.shouldPrependBosToken;
      const sampling =
        s.temperature === 0 ? { temperature: 0 } : { temperature: s.temperature, topP: s.topP };
      context.log(
        "info",
        `${prompts.length} prompts, up to ${s.maxTokens} tokens each, ${s.temperature === 0 ? "greedy" : `temperature ${s.temperature}, top-p ${s.topP}, seed ${s.seed}`}`,
      );
      const started = performance.now();
      let promptCount = 0;
      let generatedCount = 0;
      let endedByTeacher = 0;
      for (const [index, prompt] of prompts.entries()) {
        context.signal.throwIfAborted();
        const input = withBos ? [bos, ...prompt] : prompt;
        const budget = Math.min(s.maxTokens, ctx.contextSize - input.length - 1);
        if (budget < 1)
          throw new CodedError(
            "BAD_DISTILL_SETTINGS",
            `${params.prompts.path}: prompt ${index + 1} (${input.length} tokens) leaves no room in a ${ctx.contextSize}-token context`,
            { file: params.prompts.path, remedies: ["raise-context"] },
          );
        await sequence.clearHistory();
        const generated: Token[] = [];
        for await (const token of sequence.evaluate(input, {
          ...sampling,
          seed: s.seed + index,
          yieldEogToken: true,
        })) {
          if (model.isEogToken(token)) {
            endedByTeacher++;
            break;
          }
          generated.push(token);
          if (generated.length >= budget || context.signal.aborted) break;
        }
        context.signal.throwIfAborted();
        await write((index > 0 ? sampleSeparator : "") + model.detokenize([...prompt, ...generated]));
        promptCount += prompt.length;
        generatedCount += generated.length;
        const elapsed = (performance.now() - started) / 1000;
        const done = index + 1;
        context.progress(
          done / prompts.length,
          `sample ${done}/${prompts.length}, ${generatedCount} tokens generated, ${Math.round(generatedCount / Math.max(elapsed, 1e-3))} tokens/s`,
          (elapsed / done) * (prompts.length - done),
        );
      }
      await out.close();
      const seconds = (performance.now() - started) / 1000;
      return {
        path: outPath,
        sha256: hash.digest("hex"),
        bytes,
        reused: false,
        samples: prompts.length,
        promptTokens: promptCount,
        generatedTokens: generatedCount,
        endedByTeacher,
        seconds,
      };
    } finally {
      await ctx.dispose();
    }
  } finally {
    await out.close().catch(() => undefined);
    await model.dispose();
  }
});
