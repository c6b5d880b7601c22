// eval, worker half: the native passes (worker/eval/runEvaluation.ts). A new base file is written into
// the job's temp folder; the parent (core/jobs/kinds/eval.ts) moves it into the artifacts folder and
// records the runs.
import { runEvaluation } from "../eval/runEvaluation.js";
import { CodedError } from "../../core/errors.js";
import { sha256File } from "../../core/library/hashFile.js";
import { defineRunner } from "../Runner.js";

export default defineRunner("eval", async (params, context) => {
  context.log(
    "info",
    `evaluating ${params.variants.length} variant(s) against ${params.base.path}, context ${params.settings.contextSize}, ` +
      `${params.settings.chunks ?? "all"} chunks, ${params.baseCachePath ? `cached base ${params.baseCachePath}` : "base pass first"}`,
  );
  // The cache key holds the text's hash from when the job was queued: the text must still be that one.
  const { sha256 } = await sha256File(params.text.path, { signal: context.signal });
  if (sha256 !== params.text.sha256) {
    throw new CodedError(
      "TEXT_CHANGED",
      `${params.text.path}: the text changed since the evaluation was queued`,
      {
        file: params.text.path,
        remedies: ["retry"],
      },
    );
  }
  return runEvaluation(
    {
      base: { modelId: params.base.modelId, path: params.base.path },
      variants: params.variants,
      textPath: params.text.path,
      settings: params.settings,
      baseCachePath: params.baseCachePath,
      writeBaseCacheTo: params.baseCachePath ? null : context.tempPath("base.cwbbase"),
    },
    {
      signal: context.signal,
      onProgress: (fraction, step, eta) => context.progress(fraction, step, eta),
      log: (message) => context.log("info", message),
    },
  );
});
