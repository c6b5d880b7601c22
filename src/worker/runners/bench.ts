// bench, worker half: the measurements (worker/bench/speedBench.ts). This worker process is fresh
// for this job, which is part of what makes the first load "cold". The parent
// (core/jobs/kinds/bench.ts) records the run.
import { runSpeedBench } from "../bench/speedBench.js";
import { defineRunner } from "../Runner.js";

export default defineRunner("bench", async (params, context) => {
  const s = params.settings;
  context.log(
    "info",
    `benchmarking ${params.model.path}: pp ${s.promptLengths.join(",")}, tg ${s.generateTokens} after ${s.generationPromptTokens}, ` +
      `${s.reps} reps, gpu ${s.gpu}, threads ${s.threads ?? "auto"}, batch ${s.batchSize}`,
  );
  return runSpeedBench(params.model.path, params.settings, {
    signal: context.signal,
    onProgress: (fraction, step) => context.progress(fraction, step),
    log: (message) => context.log("info", message),
  });
});
