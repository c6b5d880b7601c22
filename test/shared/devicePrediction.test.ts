// The per-device prediction: memory fit at the boundary of the usable memory, the generation range
// and its width, and the efficiency factor from this machine's benchmarks, from the default, and
// corrected by results measured on the device itself.
import { describe, expect, it } from "vitest";
import { builtinDeviceProfiles } from "../../src/shared/devices/builtinDeviceProfiles.js";
import type { DeviceProfile } from "../../src/shared/domain/deviceProfile.js";
import {
  defaultEfficiency,
  deviceEfficiencySample,
  efficiencyRange,
  machineToDeviceTransfer,
  predictOnDevice,
  spreadSigmas,
  type PredictedVariant,
} from "../../src/shared/metrics/devicePrediction.js";
import { estimateMemory } from "../../src/shared/metrics/fit.js";

const GiB = 1024 ** 3;
const pixel8 = builtinDeviceProfiles.find((p) => p.id === "pixel-8")!;

// Llama 3.2 1B at Q4_K_M: 16 layers, 32 heads, 8 KV heads, width 2048, 128256 tokens.
const llama1b: PredictedVariant = {
  modelId: "m1",
  label: "Q4_K_M",
  path: "/m/llama-1b-q4.gguf",
  shape: {
    fileBytes: 0.81e9,
    layers: 16,
    heads: 32,
    headsKv: 8,
    embeddingLength: 2048,
    vocabularySize: 128256,
  },
  weightBytesPerToken: 0.75e9,
};

function withUsable(device: DeviceProfile, bytes: number): DeviceProfile {
  return { ...device, usableMemoryBytes: { ...device.usableMemoryBytes, value: bytes } };
}

describe("memory fit against the usable memory", () => {
  const ctx = 4096;
  const needed = estimateMemory(llama1b.shape, ctx).totalBytes;
  const efficiency = efficiencyRange([], []);

  it("uses fit.ts's estimate and shows the margin", () => {
    const p = predictOnDevice(llama1b, pixel8, ctx, efficiency);
    expect(p.memory.totalBytes).toBe(needed);
    expect(p.usableBytes).toBe(4 * GiB);
    expect(p.marginBytes).toBe(4 * GiB - needed);
    expect(p.fit).toBe("fits");
  });

  it("fits at exactly the usable memory (tight) and not one byte below it", () => {
    const exact = predictOnDevice(llama1b, withUsable(pixel8, needed), ctx, efficiency);
    expect(exact).toMatchObject({ fit: "tight", marginBytes: 0 });
    const short = predictOnDevice(llama1b, withUsable(pixel8, needed - 1), ctx, efficiency);
    expect(short).toMatchObject({ fit: "no", marginBytes: -1 });
  });

  it("says which parts are estimates, and which header fields were guessed", () => {
    const p = predictOnDevice(llama1b, pixel8, ctx, efficiency);
    expect(p.estimated).toEqual(["compute buffer", "runtime overhead", "usable memory (rule-of-thumb)"]);
    const guessed = predictOnDevice(
      { ...llama1b, shape: { ...llama1b.shape, headsKv: null } },
      pixel8,
      ctx,
      efficiency,
    );
    expect(guessed.estimated[0]).toBe("KV cache (guessed KV heads)");
  });
});

describe("generation speed range", () => {
  it("runs from a full context at the low efficiency to an empty one at the high", () => {
    const efficiency = efficiencyRange([], []);
    const p = predictOnDevice(llama1b, pixel8, 4096, efficiency);
    const bandwidth = pixel8.memoryBandwidth.value;
    const kv = estimateMemory(llama1b.shape, 4096).kvCacheBytes;
    expect(p.generation.highTokensPerSecond).toBeCloseTo((bandwidth * defaultEfficiency.high) / 0.75e9, 6);
    expect(p.generation.lowTokensPerSecond).toBeCloseTo(
      (bandwidth * defaultEfficiency.low) / (0.75e9 + kv),
      6,
    );
    // 68.3 GB/s × 0.75 / 0.75 GB ≈ 68 tok/s at best for a 1B Q4 on a Pixel 8.
    expect(p.generation.highTokensPerSecond).toBeGreaterThan(60);
    expect(p.generation.highTokensPerSecond).toBeLessThan(70);
  });

  it("narrows to the efficiency spread alone when the context adds nothing to read", () => {
    const tiny = { ...llama1b, weightBytesPerToken: 1e12 }; // KV bytes negligible next to the weights
    const p = predictOnDevice(tiny, pixel8, 16, efficiencyRange([], []));
    const ratio = p.generation.highTokensPerSecond / p.generation.lowTokensPerSecond;
    expect(ratio).toBeCloseTo(defaultEfficiency.high / defaultEfficiency.low, 4);
  });

  it("gets wider with a longer context (more KV cache read per token at the low end)", () => {
    const e = efficiencyRange([], []);
    const short = predictOnDevice(llama1b, pixel8, 1024, e).generation;
    const long = predictOnDevice(llama1b, pixel8, 32768, e).generation;
    expect(long.highTokensPerSecond).toBe(short.highTokensPerSecond);
    expect(long.lowTokensPerSecond).toBeLessThan(short.lowTokensPerSecond);
  });
});

describe("efficiency factor", () => {
  it("defaults to a documented range without any measurement", () => {
    expect(efficiencyRange([], [])).toEqual({
      low: defaultEfficiency.low,
      typical: (defaultEfficiency.low + defaultEfficiency.high) / 2,
      high: defaultEfficiency.high,
      basis: "default",
      samples: 0,
    });
  });

  it("starts from this machine's samples, each widened by its spread, then scaled for another device", () => {
    const machine = [
      { value: 0.6, stddev: 0.02 },
      { value: 0.7, stddev: null },
    ];
    const e = efficiencyRange([], machine);
    expect(e.basis).toBe("this-machine");
    expect(e.samples).toBe(2);
    expect(e.low).toBeCloseTo((0.6 - spreadSigmas * 0.02) * machineToDeviceTransfer.low, 9);
    expect(e.high).toBeCloseTo(0.7 * machineToDeviceTransfer.high, 9);
    expect(e.low).toBeLessThan(e.typical);
    expect(e.typical).toBeLessThan(e.high);
  });

  it("is replaced by the device's own results once they exist (the correction per device)", () => {
    // A Pixel 8 measured at 30 ± 1 tok/s on a model reading 1 GB per token: 30 GB/s of 68.3.
    const sample = deviceEfficiencySample(30, 1, 1e9, pixel8.memoryBandwidth.value);
    expect(sample.value).toBeCloseTo(30e9 / pixel8.memoryBandwidth.value, 9);
    const e = efficiencyRange([sample], [{ value: 0.9, stddev: 0 }]);
    expect(e.basis).toBe("device");
    expect(e.low).toBeCloseTo(sample.value - spreadSigmas * sample.stddev!, 9);
    expect(e.high).toBeCloseTo(sample.value + spreadSigmas * sample.stddev!, 9);
    // The prediction for that same model then brackets what was measured.
    const oneGb = { ...llama1b, weightBytesPerToken: 1e9 };
    const p = predictOnDevice(oneGb, pixel8, 16, e).generation;
    expect(p.lowTokensPerSecond).toBeLessThan(30);
    expect(p.highTokensPerSecond).toBeGreaterThan(30);
    expect(p.highTokensPerSecond).toBeCloseTo(30 + spreadSigmas * 1, 6);
  });

  it("keeps every share positive and at most 100 % of the bandwidth", () => {
    const e = efficiencyRange([{ value: 0.98, stddev: 0.2 }], []);
    expect(e.high).toBe(1);
    // A spread wider than the value stops the low end at half the sample, not at zero or below.
    expect(efficiencyRange([{ value: 0.3, stddev: 0.4 }], []).low).toBe(0.15);
  });
});
