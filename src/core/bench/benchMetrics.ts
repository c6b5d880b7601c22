// Turns the raw samples of a benchmark into metric rows (name, value, unit, stddev, samples).
// Names: "load.cold", "pp.512", "tg.128", "app.tg.128", "ttft.p95", "itl.p99", "memory.peak_rss", ...
// Rates are means over repetitions with their sample stddev; latencies are percentiles over all
// samples (see shared/metrics/stats.ts for the interpolation).
import { summarize } from "../../shared/metrics/stats.js";
import type { Metric } from "../../shared/domain/run.js";

export interface SpeedSamples {
  coldLoadMs: number;
  warmLoadMs: number[];
  contextCreateMs: number;
  /** llama-bench's pp method: prompt length → tokens/s per repetition. */
  promptTokensPerSecond: Map<number, number[]>;
  /** llama-bench's tg method (single-token decodes, no sampling): tokens/s per repetition. */
  generationTokensPerSecond: number[];
  /** The same through node-llama-cpp's API; generation is greedy, its first token excluded (it carries the prompt). */
  app: { promptTokensPerSecond: Map<number, number[]>; generationTokensPerSecond: number[] };
  generateTokens: number;
  ttftMs: number[];
  interTokenMs: number[];
  peakRssBytes: number;
  /** RSS right before the first model load. */
  baselineRssBytes: number;
  /** node-llama-cpp's estimate of model + context RAM for the same settings. */
  estimateBytes: number;
  vramUsedBytes: number | null;
  estimateVramBytes: number | null;
  modelSizeBytes: number;
  weightBytesPerToken: number;
  bandwidthBytesPerSecond: number | null;
}

function single(name: string, value: number, unit: string): Metric {
  return { name, value, unit, stddev: null, samples: 1 };
}

function averaged(name: string, values: readonly number[], unit: string): Metric {
  const s = summarize(values);
  return { name, value: s.mean, unit, stddev: s.stddev, samples: s.samples };
}

function percentiles(
  prefix: string,
  values: readonly number[],
  unit: string,
  which: readonly ("p50" | "p95" | "p99")[],
): Metric[] {
  const s = summarize(values);
  return [
    { name: `${prefix}.mean`, value: s.mean, unit, stddev: s.stddev, samples: s.samples },
    ...which.map((p) => ({ name: `${prefix}.${p}`, value: s[p], unit, stddev: null, samples: s.samples })),
  ];
}

export function benchMetrics(samples: SpeedSamples): Metric[] {
  const metrics: Metric[] = [single("load.cold", samples.coldLoadMs, "ms")];
  if (samples.warmLoadMs.length > 0) metrics.push(averaged("load.warm", samples.warmLoadMs, "ms"));
  metrics.push(single("context.create", samples.contextCreateMs, "ms"));

  for (const [length, rates] of samples.promptTokensPerSecond)
    metrics.push(averaged(`pp.${length}`, rates, "tok/s"));
  const tg = averaged(`tg.${samples.generateTokens}`, samples.generationTokensPerSecond, "tok/s");
  metrics.push(tg);
  for (const [length, rates] of samples.app.promptTokensPerSecond)
    metrics.push(averaged(`app.pp.${length}`, rates, "tok/s"));
  const appTg = averaged(`app.tg.${samples.generateTokens}`, samples.app.generationTokensPerSecond, "tok/s");
  metrics.push(appTg);
  // What node-llama-cpp's generation path (a sampling call and JS round trips per token, contexts
  // without a persistent thread pool) adds to each token.
  if (tg.value > 0 && appTg.value > 0)
    metrics.push(single("app.tg.overhead", 1000 / appTg.value - 1000 / tg.value, "ms"));
  metrics.push(...percentiles("ttft", samples.ttftMs, "ms", ["p50", "p95"]));
  metrics.push(...percentiles("itl", samples.interTokenMs, "ms", ["p50", "p95", "p99"]));

  const measured = samples.peakRssBytes - samples.baselineRssBytes;
  metrics.push(single("memory.peak_rss", samples.peakRssBytes, "B"));
  metrics.push(single("memory.baseline_rss", samples.baselineRssBytes, "B"));
  metrics.push(single("memory.model_context", measured, "B"));
  metrics.push(single("memory.estimate", samples.estimateBytes, "B"));
  // Positive: node-llama-cpp overestimates what the model and context added to the process.
  if (measured > 0)
    metrics.push(single("memory.estimate_error", (samples.estimateBytes - measured) / measured, "ratio"));
  if (samples.vramUsedBytes !== null) metrics.push(single("vram.used", samples.vramUsedBytes, "B"));
  if (samples.estimateVramBytes !== null)
    metrics.push(single("vram.estimate", samples.estimateVramBytes, "B"));

  metrics.push(single("weights.bytes_per_token", samples.weightBytesPerToken, "B"));
  if (samples.bandwidthBytesPerSecond !== null && samples.bandwidthBytesPerSecond > 0) {
    metrics.push(single("bandwidth", samples.bandwidthBytesPerSecond, "B/s"));
    if (samples.weightBytesPerToken > 0) {
      const limit = samples.bandwidthBytesPerSecond / samples.weightBytesPerToken;
      metrics.push(single("tg.bandwidth_limit", limit, "tok/s"));
      // Share of the memory-bandwidth ceiling reached by generation (1 = every byte read at full speed).
      metrics.push({
        name: "tg.bandwidth_share",
        value: tg.value / limit,
        unit: "ratio",
        stddev: tg.stddev === null ? null : tg.stddev / limit,
        samples: tg.samples,
      });
    }
  }
  return metrics;
}
