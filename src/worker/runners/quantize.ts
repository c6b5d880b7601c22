// quantize, worker half: llama_model_quantize through the addon (native/src/quantize.cpp) into the
// job's temp folder, with per-tensor progress; then the new file is checked and hashed. The parent
// (core/jobs/kinds/quantize.ts) moves it into place and records the variant.
import os from "node:os";
import { CodedError } from "../../core/errors.js";
import { inspectModelFile } from "../../core/library/importModel.js";
import { loadNative } from "../native/loadAddon.js";
import { runNativeTask } from "../native/nativeTask.js";
import { llamaBuildInfo } from "../../core/quantize/llamaBuildInfo.js";
import { quantizedTensorAt, quantizeFailure } from "../../core/quantize/quantizeFailure.js";
import { findQuantType } from "../../shared/quantTypes.js";
import { defineRunner } from "../Runner.js";
import { forwardNativeEvents } from "./forwardNativeEvents.js";

export default defineRunner("quantize", async (params, context) => {
  const { recipe } = params;
  const type = findQuantType(recipe.type);
  if (!type)
    throw new CodedError("UNKNOWN_QUANT_TYPE", `unknown quantization type "${recipe.type}"`, {
      remedies: ["list-quant-types"],
    });
  const { addon, gpu, llamaCommit } = await loadNative();
  const outPath = params.dryRun ? undefined : context.tempPath("model.gguf");
  context.log(
    "info",
    `${params.dryRun ? "sizing" : "quantizing"} ${params.model.path} as ${type.name}${recipe.imatrix ? ` with ${recipe.imatrix.path}` : ""}`,
  );
  const forward = forwardNativeEvents(context);
  // The tensor llama.cpp is at ("quantizing blk.0.attn_q.weight"): the one a failure stopped at.
  let currentTensor: string | null = null;
  const report = await runNativeTask(
    addon.quantize(
      {
        inPath: params.model.path,
        ...(outPath ? { outPath } : {}),
        ftype: type.ftype,
        onlyCopy: type.copyOnly === true,
        ...(recipe.imatrix ? { imatrixPath: recipe.imatrix.path } : {}),
        tensorTypes: recipe.tensorTypes,
        ...(recipe.outputTensorType ? { outputTensorType: recipe.outputTensorType } : {}),
        ...(recipe.tokenEmbeddingType ? { tokenEmbeddingType: recipe.tokenEmbeddingType } : {}),
        pure: recipe.pure,
        leaveOutputTensor: recipe.leaveOutputTensor,
        allowRequantize: recipe.allowRequantize,
        dryRun: params.dryRun,
        threads: params.threads ?? os.availableParallelism(),
      },
      (event) => {
        if (event.type === "progress")
          currentTensor = /^quantizing (\S+)/.exec(event.message)?.[1] ?? currentTensor;
        forward(event);
      },
    ),
    context.signal,
  ).catch(async (error: unknown) => {
    if (context.signal.aborted) throw error;
    // Progress events still queued from the native thread land first.
    await new Promise((resolve) => setImmediate(resolve));
    const refusedTensor =
      !recipe.allowRequantize && !params.dryRun
        ? await quantizedTensorAt(params.model.path, currentTensor)
        : null;
    throw quantizeFailure(error, { modelPath: params.model.path, refusedTensor });
  });
  const build = llamaBuildInfo(gpu, llamaCommit);
  if (!outPath) return { report, build, facts: null };
  context.progress(null, "hashing the new model");
  const facts = await inspectModelFile(outPath, { signal: context.signal });
  return { report, build, facts };
});
