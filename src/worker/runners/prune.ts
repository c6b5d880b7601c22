// prune, worker half: drops whole blocks with llama_model_quantize's prune_layers and ftype COPY
// (every kept tensor is copied byte for byte), then shortens per-layer metadata arrays llama.cpp
// leaves at their old length, then checks and hashes the file. The parent records the variant.
import os from "node:os";
import { inspectModelFile } from "../../core/library/importModel.js";
import { loadNative } from "../native/loadAddon.js";
import { runNativeTask } from "../native/nativeTask.js";
import { llamaBuildInfo } from "../../core/quantize/llamaBuildInfo.js";
import { findQuantType } from "../../shared/quantTypes.js";
import { defineRunner } from "../Runner.js";
import { forwardNativeEvents } from "./forwardNativeEvents.js";

export default defineRunner("prune", async (params, context) => {
  const { addon, gpu, llamaCommit } = await loadNative();
  const { recipe } = params;
  const copy = findQuantType("COPY")!;
  const outPath = context.tempPath("model.gguf");
  context.log(
    "info",
    `dropping blocks ${recipe.dropped.join(", ")} of ${recipe.originalBlockCount} from ${params.model.path}`,
  );
  const report = await runNativeTask(
    addon.quantize(
      {
        inPath: params.model.path,
        outPath,
        ftype: copy.ftype,
        onlyCopy: true,
        pruneLayers: recipe.dropped,
        threads: params.threads ?? os.availableParallelism(),
      },
      forwardNativeEvents(context, "copying "),
    ),
    context.signal,
  );
  const fixed = await addon.fixLayerArrays(outPath, outPath, {
    oldBlockCount: recipe.originalBlockCount,
    dropped: recipe.dropped,
  });
  if (fixed.keys.length > 0) context.log("info", `shortened per-layer metadata: ${fixed.keys.join(", ")}`);
  context.progress(null, "hashing the new model");
  const facts = await inspectModelFile(outPath, { signal: context.signal });
  return {
    facts,
    fixedMetadata: fixed.keys,
    build: llamaBuildInfo(gpu, llamaCommit),
    tensors: report.tensorCount,
  };
});
