// prune.width, worker half: measures channel and head importance on the calibration text, picks what
// each block keeps (core/quantize/selectWidth.ts), writes the narrower model (native/src/
// widthPruneFile.cpp), then checks and hashes it. The parent records the variant.
import { inspectModelFile } from "../../core/library/importModel.js";
import { llamaBuildInfo } from "../../core/quantize/llamaBuildInfo.js";
import { kQuantFallbacks, selectWidth } from "../../core/quantize/selectWidth.js";
import { loadNative } from "../native/loadAddon.js";
import { runNativeTask } from "../native/nativeTask.js";
import { measureChannels } from "../pruning/measureChannels.js";
import { defineRunner } from "../Runner.js";
import { forwardNativeEvents } from "./forwardNativeEvents.js";

export default defineRunner("prune.width", async (params, context) => {
  const native = await loadNative(params.settings);
  const importance = await measureChannels(native, params, context, "measuring importance: ");
  const selection = selectWidth(importance.layers, params.original.headCountsKv, params.recipe);
  const outPath = context.tempPath("model.gguf");
  const written = await runNativeTask(
    native.addon.pruneWidth(
      {
        inPath: params.model.path,
        outPath,
        ffnKeep: selection.ffnKeep.map((k) => Int32Array.from(k)),
        groupsKeep: selection.groupsKeep.map((k) => Int32Array.from(k)),
      },
      forwardNativeEvents(context, "pruning: "),
    ),
    context.signal,
  );
  context.log(
    "info",
    `kept FFN ${written.ffnLengths.join("/")} of ${params.original.ffnLengths.join("/")}, KV groups ${written.headCountsKv.join("/")}`,
  );
  context.progress(null, "hashing the new model");
  const facts = await inspectModelFile(outPath, { signal: context.signal });
  const embedding = facts.metadata.embeddingLength ?? 0;
  const headDim = importance.headCount > 0 ? embedding / importance.headCount : 0;
  return {
    facts,
    build: llamaBuildInfo(native.gpu, native.llamaCommit),
    architecture: written.architecture,
    ffnLengths: written.ffnLengths,
    headCounts: written.headCounts,
    headCountsKv: written.headCountsKv,
    kQuantFallbacks: kQuantFallbacks(written.ffnLengths, written.headCounts, headDim),
    importanceSeconds: importance.seconds,
  };
});
