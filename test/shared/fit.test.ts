import { describe, expect, it } from "vitest";
import {
  estimateMemory,
  fitVerdict,
  kvCacheBytes,
  largestFittingContext,
  overheadBytes,
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

  it("reports VRAM only when there is a GPU", () => {
    expect(willItFit(llama3, 4096, { ramBytes: 16 * GiB, vramBytes: null }).vram).toBeNull();
    expect(willItFit(llama3, 4096, { ramBytes: 16 * GiB, vramBytes: 6 * GiB }).vram?.level).toBe("tight");
    expect(willItFit(llama3, 4096, { ramBytes: 16 * GiB, vramBytes: 4 * GiB }).vram?.level).toBe("no");
  });

  it("finds the largest fitting power-of-two context", () => {
    const ctx = largestFittingContext(llama3, { ramBytes: 16 * GiB, vramBytes: null });
    expect(ctx).not.toBeNull();
    expect(willItFit(llama3, ctx!, { ramBytes: 16 * GiB, vramBytes: null }).ram.level).toBe("fits");
    expect(willItFit(llama3, ctx! * 2, { ramBytes: 16 * GiB, vramBytes: null }).ram.level).not.toBe("fits");
    expect(largestFittingContext(llama3, { ramBytes: 2 * GiB, vramBytes: null })).toBeNull();
  });
});
