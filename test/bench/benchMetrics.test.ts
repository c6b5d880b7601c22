import { describe, expect, it } from "vitest";
import { benchMetrics, type SpeedSamples } from "../../src/core/bench/benchMetrics.js";

const samples: SpeedSamples = {
  coldLoadMs: 300,
  warmLoadMs: [40, 60],
  contextCreateMs: 12,
  promptTokensPerSecond: new Map([
    [128, [1000, 1200, 1100]],
    [512, [900, 900, 900]],
  ]),
  generationTokensPerSecond: [100, 110, 90],
  app: {
    promptTokensPerSecond: new Map([[128, [800, 1000]]]),
    generationTokensPerSecond: [50, 40, 60],
  },
  generateTokens: 64,
  ttftMs: [10, 20, 30, 40],
  interTokenMs: [8, 9, 10, 11, 12],
  peakRssBytes: 300e6,
  baselineRssBytes: 100e6,
  estimateBytes: 250e6,
  vramUsedBytes: null,
  estimateVramBytes: null,
  modelSizeBytes: 150e6,
  weightBytesPerToken: 100e6,
  bandwidthBytesPerSecond: 20e9,
};

describe("benchMetrics", () => {
  const metrics = benchMetrics(samples);
  const byName = new Map(metrics.map((m) => [m.name, m]));
  const get = (name: string) => {
    const m = byName.get(name);
    if (!m) throw new Error(`no metric ${name}; have ${[...byName.keys()].join(", ")}`);
    return m;
  };

  it("names every metric once", () => {
    expect(byName.size).toBe(metrics.length);
  });
  it("averages repetitions with their sample stddev", () => {
    // pp128: mean 1100, deviations ±100 and 0 → variance 20000/2 = 10000 → stddev 100.
    expect(get("pp.128")).toEqual({ name: "pp.128", value: 1100, unit: "tok/s", stddev: 100, samples: 3 });
    expect(get("pp.512")).toEqual({ name: "pp.512", value: 900, unit: "tok/s", stddev: 0, samples: 3 });
    expect(get("tg.64")).toEqual({ name: "tg.64", value: 100, unit: "tok/s", stddev: 10, samples: 3 });
    expect(get("app.tg.64")).toEqual({ name: "app.tg.64", value: 50, unit: "tok/s", stddev: 10, samples: 3 });
    // 800, 1000: mean 900, stddev sqrt(2 · 100² / 1) = 141.42…
    expect(get("app.pp.128").value).toBe(900);
    expect(get("app.pp.128").stddev).toBeCloseTo(Math.sqrt(20000), 10);
    // warm loads 40, 60: mean 50, stddev sqrt(200) = 14.142…
    expect(get("load.warm").value).toBe(50);
    expect(get("load.warm").stddev).toBeCloseTo(Math.sqrt(200), 10);
    expect(get("load.cold")).toEqual({ name: "load.cold", value: 300, unit: "ms", stddev: null, samples: 1 });
  });
  it("reports what node-llama-cpp's generation path adds to each token's decode", () => {
    // 1000 / 50 tok/s − 1000 / 100 tok/s = 20 ms − 10 ms per token.
    expect(get("app.tg.overhead")).toEqual({
      name: "app.tg.overhead",
      value: 10,
      unit: "ms",
      stddev: null,
      samples: 1,
    });
  });
  it("reports latency percentiles by linear interpolation", () => {
    // ttft sorted [10,20,30,40]: p50 → h = 1.5 → 25; p95 → h = 2.85 → 30 + 0.85·10 = 38.5
    expect(get("ttft.p50").value).toBe(25);
    expect(get("ttft.p95").value).toBeCloseTo(38.5, 10);
    expect(get("ttft.mean").value).toBe(25);
    // itl [8..12]: p50 = 10; p95 → h = 3.8 → 11.8; p99 → h = 3.96 → 11.96
    expect(get("itl.p50").value).toBe(10);
    expect(get("itl.p95").value).toBeCloseTo(11.8, 10);
    expect(get("itl.p99").value).toBeCloseTo(11.96, 10);
    expect(get("itl.p99").samples).toBe(5);
  });
  it("compares the memory estimate with what the model and context added", () => {
    expect(get("memory.model_context").value).toBe(200e6);
    // (250 − 200) / 200 = +25 %: node-llama-cpp overestimated.
    expect(get("memory.estimate_error").value).toBeCloseTo(0.25, 12);
    expect(byName.has("vram.used")).toBe(false);
  });
  it("expresses generation as a share of the bandwidth limit", () => {
    // 20 GB/s ÷ 100 MB per token = 200 tok/s ceiling; 100 tok/s is half of it.
    expect(get("tg.bandwidth_limit").value).toBeCloseTo(200, 10);
    expect(get("tg.bandwidth_share").value).toBeCloseTo(0.5, 12);
    expect(get("tg.bandwidth_share").stddev).toBeCloseTo(0.05, 12);
  });
  it("omits bandwidth figures when the probe did not run", () => {
    const names = benchMetrics({ ...samples, bandwidthBytesPerSecond: null }).map((m) => m.name);
    expect(names).not.toContain("bandwidth");
    expect(names).not.toContain("tg.bandwidth_share");
  });
});
