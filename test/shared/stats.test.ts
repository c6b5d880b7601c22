import { describe, expect, it } from "vitest";
import {
  coefficientOfVariation,
  mean,
  percentile,
  stddev,
  summarize,
} from "../../src/shared/metrics/stats.js";

// Hand-computed: [2, 4, 4, 4, 5, 5, 7, 9] has mean 5 and squared deviations 9+1+1+1+0+0+4+16 = 32,
// so the sample variance is 32/7 and the sample stddev sqrt(32/7) = 2.1380899352993950.
const textbook = [2, 4, 4, 4, 5, 5, 7, 9];

describe("mean / stddev / cv", () => {
  it("matches hand-computed values", () => {
    expect(mean(textbook)).toBe(5);
    expect(stddev(textbook)).toBeCloseTo(2.138089935299395, 12);
    expect(coefficientOfVariation(textbook)).toBeCloseTo(2.138089935299395 / 5, 12);
  });
  it("uses the n − 1 denominator", () => {
    // [1, 3]: mean 2, squared deviations 1 + 1 = 2, divided by 1 → variance 2.
    expect(stddev([1, 3])).toBeCloseTo(Math.SQRT2, 12);
  });
  it("has no spread for one sample and no cv for a zero mean", () => {
    expect(stddev([42])).toBeNull();
    expect(coefficientOfVariation([42])).toBeNull();
    expect(coefficientOfVariation([-1, 1])).toBeNull();
  });
  it("uses |mean| for the cv of negative values", () => {
    expect(coefficientOfVariation([-1, -3])).toBeCloseTo(Math.SQRT2 / 2, 12);
  });
  it("refuses empty and non-finite input", () => {
    expect(() => mean([])).toThrow(RangeError);
    expect(() => stddev([1, Number.NaN])).toThrow(RangeError);
    expect(() => percentile([1, Infinity], 50)).toThrow(RangeError);
  });
});

describe("percentile (linear interpolation between closest ranks)", () => {
  it("interpolates between the two nearest sorted values", () => {
    // h = (n − 1)·p: [1,2,3,4] p50 → h = 1.5 → 2 + 0.5·(3 − 2) = 2.5
    expect(percentile([4, 1, 3, 2], 50)).toBe(2.5);
    // 1..10, p95 → h = 9·0.95 = 8.55 → 9 + 0.55·1 = 9.55
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 95)).toBeCloseTo(9.55, 12);
    // textbook sorted, p95 → h = 7·0.95 = 6.65 → 7 + 0.65·(9 − 7) = 8.3
    expect(percentile(textbook, 95)).toBeCloseTo(8.3, 12);
    // p99 → h = 6.93 → 7 + 0.93·2 = 8.86
    expect(percentile(textbook, 99)).toBeCloseTo(8.86, 12);
  });
  it("returns the extremes at p0 and p100 and the value itself for one sample", () => {
    expect(percentile(textbook, 0)).toBe(2);
    expect(percentile(textbook, 100)).toBe(9);
    expect(percentile([7], 99)).toBe(7);
  });
  it("rejects p outside 0..100", () => {
    expect(() => percentile([1], 101)).toThrow(RangeError);
    expect(() => percentile([1], -1)).toThrow(RangeError);
    expect(() => percentile([1], Number.NaN)).toThrow(RangeError);
  });
  it("does not reorder the caller's array", () => {
    const values = [3, 1, 2];
    percentile(values, 50);
    expect(values).toEqual([3, 1, 2]);
  });
});

describe("summarize", () => {
  it("gathers every statistic in one object", () => {
    const s = summarize(textbook);
    expect(s.samples).toBe(8);
    expect(s.mean).toBe(5);
    expect(s.stddev).toBeCloseTo(2.138089935299395, 12);
    expect(s.cv).toBeCloseTo(0.427617987059879, 12);
    expect(s.min).toBe(2);
    expect(s.max).toBe(9);
    // p50: h = 3.5 → 4 + 0.5·(5 − 4) = 4.5
    expect(s.p50).toBe(4.5);
    expect(s.p95).toBeCloseTo(8.3, 12);
    expect(s.p99).toBeCloseTo(8.86, 12);
  });
  it("summarizes a single sample without spread", () => {
    expect(summarize([3])).toEqual({
      samples: 1,
      mean: 3,
      stddev: null,
      cv: null,
      min: 3,
      max: 3,
      p50: 3,
      p95: 3,
      p99: 3,
    });
  });
});
