import { describe, expect, it } from "vitest";
import {
  estimateMemory,
  fitVerdict,
  kvCacheBytes,
  largestFittingContext,
  offloadedLayers,
  overheadBytes,
  splitMemory,
  willItFit,
  type FitModelShape,
} from "../../src/shared/metrics/fit.js";

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

// Llama 2 7B: 32 layers, 32 heads, no GQA. llama.cpp logs "KV self size = 2048.00 MiB" at n_ctx 4096.
const llama2: FitModelShape = {
  fileBytes: 4.08e9,
  layers: 32,
  heads: 32,
  headsKv: 32,
  embeddingLength: 4096,
  vocabularySize: 32000,
};
// Llama 3 8B: 8 KV heads (GQA); llama.cpp logs 1024 MiB of KV at n_ctx 8192.
const llama3: FitModelShape = { ...llama2, fileBytes: 4.92e9, headsKv: 8, vocabularySize: 128256 };

describe("kvCacheBytes", () => {
  it("matches llama.cpp's F16 KV cache size for a model without GQA", () => {
    expect(kvCacheBytes(llama2, 4096)).toBe(2048 * MiB);
  });

  it("shrinks with grouped-query attention", () => {
    expect(kvCacheBytes(llama3, 8192)).toBe(1024 * MiB);
  });

  it("grows linearly with the context and halves at 1 byte per element", () => {
    expect(kvCacheBytes(llama3, 16384)).toBe(2 * kvCacheBytes(llama3, 8192));
    expect(kvCacheBytes(llama3, 8192, 1)).toBe(512 * MiB);
  });
});

describe("estimateMemory", () => {
  it("adds weights, KV cache, compute buffer and overhead", () => {
    const e = estimateMemory(llama2, 4096);
    expect(e.modelBytes).toBe(4.08e9);
    expect(e.kvCacheBytes).toBe(2048 * MiB);
    expect(e.overheadBytes).toBe(overheadBytes);
    expect(e.totalBytes).toBe(e.modelBytes + e.kvCacheBytes + e.computeBytes + e.overheadBytes);
    // The compute buffer is hundreds of MB for a 7B model, not GBs.
    expect(e.computeBytes).toBeGreaterThan(50 * MiB);
    expect(e.computeBytes).toBeLessThan(1 * GiB);
    expect(e.guessed).toEqual([]);
  });

  it("says which header fields it had to guess", () => {
    const e = estimateMemory({ ...llama2, headsKv: null, vocabularySize: null }, 512);
    expect(e.guessed).toEqual(["KV heads", "vocabulary size"]);
    // Missing KV heads are taken as "no GQA": the larger, safer cache.
    expect(e.kvCacheBytes).toBe(kvCacheBytes(llama2, 512));
  });

  it("refuses a non-positive context", () => {
    expect(() => estimateMemory(llama2, 0)).toThrow(RangeError);
  });
});

describe("fitVerdict and willItFit", () => {
  it("grades by the share of memory used", () => {
    expect(fitVerdict(7 * GiB, 10 * GiB).level).toBe("fits");
    expect(fitVerdict(8 * GiB, 10 * GiB).level).toBe("fits");
    expect(fitVerdict(9 * GiB, 10 * GiB).level).toBe("tight");
    expect(fitVerdict(11 * GiB, 10 * GiB)).toEqual({ level: "no", share: 1.1 });
    expect(fitVerdict(1, 0).level).toBe("no");
  });

  it("a 7B Q4 fits a 16 GB laptop at 4k context but not an 8 GB one at 32k", () => {
    expect(willItFit(llama3, 4096, { ramBytes: 16 * GiB, vramBytes: null }).ram.level).toBe("fits");
    expect(willItFit(llama3, 32768, { ramBytes: 8 * GiB, vramBytes: null }).ram.level).toBe("no");
  });

  it("reports VRAM only when there is a GPU and layers are offloaded to it", () => {
    const all = { gpu: "auto", gpuLayers: "max" } as const;
    expect(willItFit(llama3, 4096, { ramBytes: 16 * GiB, vramBytes: null }, all).vram).toBeNull();
    expect(willItFit(llama3, 4096, { ramBytes: 16 * GiB, vramBytes: 6 * GiB }, all).vram?.level).toBe(
      "tight",
    );
    expect(willItFit(llama3, 4096, { ramBytes: 16 * GiB, vramBytes: 4 * GiB }, all).vram?.level).toBe("no");
    const onCpu = { gpu: "cpu", gpuLayers: "max" } as const;
    expect(willItFit(llama3, 4096, { ramBytes: 16 * GiB, vramBytes: 6 * GiB }, onCpu).vram).toBeNull();
  });

  it("finds the largest fitting power-of-two context", () => {
    const ctx = largestFittingContext(llama3, { ramBytes: 16 * GiB, vramBytes: null });
    expect(ctx).not.toBeNull();
    expect(willItFit(llama3, ctx!, { ramBytes: 16 * GiB, vramBytes: null }).ram.level).toBe("fits");
    expect(willItFit(llama3, ctx! * 2, { ramBytes: 16 * GiB, vramBytes: null }).ram.level).not.toBe("fits");
    expect(largestFittingContext(llama3, { ramBytes: 2 * GiB, vramBytes: null })).toBeNull();
  });
});

describe("RAM and VRAM counted separately", () => {
  const estimate = estimateMemory(llama3, 4096);

  it("puts the offloaded layers' weights and KV cache on the GPU and the rest, with the overhead, in RAM", () => {
    const split = splitMemory(estimate, 32, 8);
    expect(split.gpuLayers).toBe(8);
    expect(split.vram.weightsBytes).toBeCloseTo(estimate.modelBytes / 4, 0);
    expect(split.vram.kvCacheBytes).toBe(estimate.kvCacheBytes / 4);
    expect(split.vram.computeBytes).toBe(estimate.computeBytes);
    expect(split.vram.overheadBytes).toBe(0);
    expect(split.ram.weightsBytes).toBeCloseTo((estimate.modelBytes * 3) / 4, 0);
    expect(split.ram.kvCacheBytes).toBe((estimate.kvCacheBytes * 3) / 4);
    expect(split.ram.computeBytes).toBe(0);
    expect(split.ram.overheadBytes).toBe(overheadBytes);
    // Nothing is lost or counted twice.
    expect(split.ram.totalBytes + split.vram.totalBytes).toBeCloseTo(estimate.totalBytes, 0);
  });

  it("with nothing offloaded everything is RAM; with everything offloaded only the overhead is", () => {
    const none = splitMemory(estimate, 32, 0);
    expect(none.vram.totalBytes).toBe(0);
    expect(none.ram.totalBytes).toBe(estimate.totalBytes);
    const all = splitMemory(estimate, 32, 99);
    expect(all.gpuLayers).toBe(32);
    expect(all.ram.totalBytes).toBe(overheadBytes);
  });

  it("auto offloads as many layers as keep the GPU part under 80 % of the VRAM", () => {
    const vram = 4 * GiB;
    const n = offloadedLayers(estimate, 32, vram, { gpu: "auto", gpuLayers: "auto" });
    expect(n).toBeGreaterThan(0);
    expect(n).toBeLessThan(32);
    expect(splitMemory(estimate, 32, n).vram.totalBytes).toBeLessThanOrEqual(0.8 * vram);
    expect(splitMemory(estimate, 32, n + 1).vram.totalBytes).toBeGreaterThan(0.8 * vram);
    expect(offloadedLayers(estimate, 32, 24 * GiB, { gpu: "auto", gpuLayers: "auto" })).toBe(32);
    expect(offloadedLayers(estimate, 32, null, { gpu: "auto", gpuLayers: "max" })).toBe(0);
    expect(offloadedLayers(estimate, 32, vram, { gpu: "vulkan", gpuLayers: 10 })).toBe(10);
    expect(offloadedLayers(estimate, 32, vram, { gpu: "cuda", gpuLayers: 100 })).toBe(32);
  });

  it("a 7B Q4 on a 4 GB GPU: auto fits the VRAM and leaves the other layers to a 16 GB RAM", () => {
    const fit = willItFit(llama3, 4096, { ramBytes: 16 * GiB, vramBytes: 4 * GiB });
    expect(fit.vram?.level).toBe("fits");
    expect(fit.ram.level).toBe("fits");
    expect(fit.split.gpuLayers).toBeLessThan(32);
    // All layers on that GPU do not fit; the RAM then only holds the overhead.
    const all = willItFit(
      llama3,
      4096,
      { ramBytes: 16 * GiB, vramBytes: 4 * GiB },
      { gpu: "auto", gpuLayers: "max" },
    );
    expect(all.vram?.level).toBe("no");
    expect(all.split.ram.totalBytes).toBe(overheadBytes);
  });

  it("on the CPU a machine with little RAM and a big GPU does not fit; offloaded, it does", () => {
    const machine = { ramBytes: 4 * GiB, vramBytes: 24 * GiB };
    expect(willItFit(llama3, 4096, machine, { gpu: "cpu", gpuLayers: "auto" }).ram.level).toBe("no");
    const offloaded = willItFit(llama3, 4096, machine);
    expect(offloaded.split.gpuLayers).toBe(32);
    expect(offloaded.ram.level).toBe("fits");
    expect(offloaded.vram?.level).toBe("fits");
  });
});
