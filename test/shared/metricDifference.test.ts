// A difference between two measured means is a finding only when Welch's t-test says so.
import { describe, expect, it } from "vitest";
import { metricDifference } from "../../src/shared/metrics/metricDifference.js";
import type { Metric } from "../../src/shared/domain/run.js";

const tokensPerSecond = (value: number, stddev: number | null, samples: number | null): Metric => ({
  name: "tg.128",
  value,
  unit: "tok/s",
  stddev,
  samples,
});

describe("metricDifference", () => {
  it("calls a gap far beyond the spread higher or lower, with the ratio", () => {
    const prebuilt = tokensPerSecond(800, 20, 5);
    const local = tokensPerSecond(1900, 40, 5);
    expect(metricDifference(prebuilt, local)).toEqual({ ratio: 1900 / 800, verdict: "higher" });
    expect(metricDifference(local, prebuilt).verdict).toBe("lower");
  });

  it("calls a gap inside the noise the same", () => {
    // Standard error of the gap √(2·80) ≈ 12.6, df 8: t = 1.58 (p 0.15) for 20, 2.37 (p 0.045) for 30.
    expect(metricDifference(tokensPerSecond(800, 20, 5), tokensPerSecond(820, 20, 5)).verdict).toBe("same");
    expect(metricDifference(tokensPerSecond(800, 20, 5), tokensPerSecond(830, 20, 5)).verdict).toBe("higher");
  });

  it("says nothing without a spread on both sides", () => {
    expect(metricDifference(tokensPerSecond(800, null, 1), tokensPerSecond(1900, 40, 5))).toEqual({
      ratio: 1900 / 800,
      verdict: "unknown",
    });
    expect(metricDifference(tokensPerSecond(0, 1, 5), tokensPerSecond(1, 1, 5)).ratio).toBeNull();
  });
});
