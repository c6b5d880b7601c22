// quantize, worker half: llama_model_quantize through the addon (native/src/quantize.cpp) into the
// job's temp folder, with per-tensor progress; then the new file is checked and hashed. The parent
// (core/jobs/kinds/quantize.ts) moves it into place and records the variant.
import os from "node:os";
import { CodedError } from "../../core/errors.js";
import { inspectModelFile } from "../../core/library/importModel.js";
import { loadNative } from "../../core/native/loadAddon.js";
import { runNativeTask } from "../../core/native/nativeTask.js";
import { llamaBuildInfo } from "../../core/quantize/llamaBuildInfo.js";
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
  const { addon, gpu } = await loadNative();
  const outPath = params.dryRun ? undefined : context.tempPath("model.gguf");
  context.log(
    "info",
    `${params.dryRun ? "sizing" : "quantizing"} ${params.model.path} as ${type.name}${recipe.imatrix ? ` with ${recipe.imatrix.path}` : ""}`,
  );
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
      forwardNativeEvents(context),
    ),
    context.signal,
  ).catch((error: unknown) => {
    throw context.signal.aborted ? error : quantizeFailure(error, params.model.path);
  });
  const build = llamaBuildInfo(gpu);
  if (!outPath) return { report, build, facts: null };
  context.progress(null, "hashing the new model");
  const facts = await inspectModelFile(outPath, { signal: context.signal });
  return { report, build, facts };
});

/**
 * The addon's "PATH: quantization failed: REASON" as a coded error keeping llama.cpp's reason; a
 * model that is already quantized (llama.cpp refuses to requantize unless allowed) says so.
 */
export function quantizeFailure(error: unknown, modelPath: string): unknown {
  if (!(error instanceof Error)) return error;
  const reason = /: quantization failed: ([\s\S]*)$/.exec(error.message)?.[1]?.trim();
  if (reason === undefined) return error;
  const requantize = /requantizing from type (\S+) is disabled/.exec(reason);
  if (requantize)
    return new CodedError(
      "REQUANTIZE_DISABLED",
      `${modelPath}: the model is already quantized (it has ${requantize[1]} tensors); quantizing it again ` +
        "compounds the loss, so it is refused unless requantizing is allowed",
      { llamaReason: reason, remedies: ["allow-requantize"], file: modelPath, cause: error },
    );
  return new CodedError("QUANTIZE_FAILED", `${modelPath}: quantization failed`, {
    llamaReason: reason,
    file: modelPath,
    cause: error,
  });
}
