// What the llama.cpp build for this machine buys: per variant of an experiment and per machine, the
// newest benchmark made with node-llama-cpp's prebuilt binaries and the newest made with the local
// build, so the Compare screen can show their speeds side by side (shared/metrics/compareBuildMetrics).
import { z } from "zod";
import { metric } from "./run.js";

/** One recorded benchmark run on one build: its speeds (pp/tg tokens/s with their spread). */
export const buildBenchRun = z.object({
  runId: z.string(),
  createdAt: z.string(),
  /** The library folder it ran on ("linux-x64", "local-linux-x64-…"). */
  build: z.string(),
  threads: z.number().int().nullable(),
  metrics: z.array(metric),
});
export type BuildBenchRun = z.infer<typeof buildBenchRun>;

export const variantBuildRuns = z.object({
  modelId: z.string(),
  label: z.string(),
  /** The machine both runs were made on; null when the variant has no benchmark on either build. */
  machine: z.object({ id: z.string(), cpu: z.string() }).nullable(),
  prebuilt: buildBenchRun.nullable(),
  local: buildBenchRun.nullable(),
});
export type VariantBuildRuns = z.infer<typeof variantBuildRuns>;

export const buildComparison = z.object({
  variants: z.array(variantBuildRuns),
  /** Whether any variant has a benchmark on the local build (otherwise the screen says how to make one). */
  anyLocalRun: z.boolean(),
});
export type BuildComparison = z.infer<typeof buildComparison>;
