// Hand-computed checks of the quality statistics (the formulas of llama-perplexity --kl-divergence).
import { describe, expect, it } from "vitest";
import {
  baseComparisonStats,
  covarianceOfMeans,
  meanAndUncertainty,
  perplexityStats,
} from "../../src/shared/metrics/quality.js";

const range = (n: number, f: (i: number) => number): number[] => Array.from({ length: n }, (_, i) => f(i));

describe("meanAndUncertainty", () => {
  it("gives the standard error sqrt(var/(n-1)) with var = sum2/n - mean^2", () => {
    // 0..10: mean 5, sum2/n = 385/11 = 35, var 10, se sqrt(10/10) = 1
    const e = meanAndUncertainty(55, 385, 11);
    expect(e.value).toBe(5);
    expect(e.uncertainty).toBeCloseTo(1, 12);
  });
  it("reports no uncertainty with 10 samples or fewer, as llama-perplexity does", () => {
    expect(meanAndUncertainty(45, 285, 10).uncertainty).toBe(0);
    expect(meanAndUncertainty(0, 0, 0)).toEqual({ value: 0, uncertainty: 0 });
  });
  it("covariance is zero below ten samples", () => {
    expect(covarianceOfMeans(1, 1, 1, 9)).toBe(0);
    // a = b = 0..10: cov of means = var/(n-1) = 10/10
    expect(covarianceOfMeans(55, 55, 385, 11)).toBeCloseTo(1, 12);
  });
});

describe("perplexityStats", () => {
  it("is exp(mean nll) with uncertainty ppl * se", () => {
    const s = perplexityStats(range(11, (i) => i));
    expect(s.ppl.value).toBeCloseTo(Math.exp(5), 9);
    expect(s.ppl.uncertainty).toBeCloseTo(Math.exp(5) * 1, 9);
    expect(s.count).toBe(11);
  });
  it("of a constant ln 2 is exactly 2 with no uncertainty", () => {
    const s = perplexityStats(range(20, () => Math.LN2));
    expect(s.ppl.value).toBeCloseTo(2, 14);
    expect(s.ppl.uncertainty).toBe(0);
  });
  it("refuses empty or non-finite input", () => {
    expect(() => perplexityStats([])).toThrow(RangeError);
    expect(() => perplexityStats([1, Number.NaN])).toThrow(/position 1/);
  });
});

describe("baseComparisonStats", () => {
  // base nll 0..11, variant nll = base + 0.1 at every position
  const baseNll = range(12, (i) => i);
  const nll = baseNll.map((b) => b + 0.1);
  const kld = range(12, (i) => i / 100);
  const sameTop = range(12, (i) => (i < 9 ? 1 : 0));
  const s = baseComparisonStats({ nll, baseNll, kld, sameTop });
  const se = Math.sqrt((506 / 12 - 5.5 * 5.5) / 11); // se of the mean of 0..11 = 1.0408...

  it("ln PPL ratio is the mean difference, with zero uncertainty when the difference is constant", () => {
    expect(s.lnPplRatio.value).toBeCloseTo(0.1, 12);
    expect(s.lnPplRatio.uncertainty).toBeLessThan(1e-6);
    expect(s.pplRatio.value).toBeCloseTo(Math.exp(0.1), 12);
    expect(s.nllCorrelation).toBeCloseTo(1, 9);
  });
  it("PPL, base PPL and ΔPPL with its covariance-corrected uncertainty se·(PPL − PPL_base)", () => {
    expect(s.basePpl.value).toBeCloseTo(Math.exp(5.5), 9);
    expect(s.basePpl.uncertainty).toBeCloseTo(Math.exp(5.5) * se, 9);
    expect(s.ppl.value).toBeCloseTo(Math.exp(5.6), 9);
    expect(s.pplDelta.value).toBeCloseTo(Math.exp(5.6) - Math.exp(5.5), 9);
    expect(s.pplDelta.uncertainty).toBeCloseTo(se * (Math.exp(5.6) - Math.exp(5.5)), 4);
  });
  it("KLD mean ± se and percentiles interpolated as llama-perplexity's percentile()", () => {
    expect(s.kld.mean.value).toBeCloseTo(0.055, 12);
    expect(s.kld.mean.uncertainty).toBeCloseTo(Math.sqrt(((506 / 12) * 1e-4 - 0.055 ** 2) / 11), 12); // 0.010408
    expect(s.kld.median).toBeCloseTo(0.055, 12);
    expect(s.kld.p99).toBeCloseTo(0.1089, 12); // h = 11 * 0.99 = 10.89
    expect(s.kld.p999).toBeCloseTo(0.10989, 12);
    expect(s.kld.max).toBe(0.11);
    expect(s.kld.min).toBe(0);
  });
  it("same-top share with binomial uncertainty", () => {
    expect(s.sameTop.value).toBe(0.75);
    expect(s.sameTop.uncertainty).toBeCloseTo(Math.sqrt((0.75 * 0.25) / 11), 12);
  });
  it("RMS Δp of the correct token's probability", () => {
    // base p = 1/2 everywhere, variant p = e^-0.1 / 2: Δp = 0.5(e^-0.1 - 1) = -0.04758129
    const c = baseComparisonStats({
      nll: range(12, () => Math.LN2 + 0.1),
      baseNll: range(12, () => Math.LN2),
      kld,
      sameTop,
    });
    expect(c.deltaP.rms.value).toBeCloseTo(0.5 * (1 - Math.exp(-0.1)), 12);
    expect(c.deltaP.rms.uncertainty).toBeCloseTo(0, 9);
    expect(c.deltaP.mean.value).toBeCloseTo(-0.5 * (1 - Math.exp(-0.1)), 12);
    expect(c.basePpl.value).toBeCloseTo(2, 12);
  });
  it("rejects arrays of different lengths", () => {
    expect(() => baseComparisonStats({ nll: [1, 2], baseNll: [1], kld: [0, 0], sameTop: [1, 1] })).toThrow(
      /differ in length/,
    );
  });
});
