// Welch's t-test against values from printed t tables and a worked example, and the pooled spread of
// benchmark rounds against the spread of all their values computed directly.
import { describe, expect, it } from "vitest";
import {
  compareMeasured,
  incompleteBeta,
  studentTwoSidedP,
  welchTest,
} from "../../src/shared/metrics/significance.js";
import { poolMeans, summarize } from "../../src/shared/metrics/stats.js";

describe("Student's t distribution", () => {
  it("gives p = 0.05 at the two-sided 95 % critical values of the t table", () => {
    for (const [df, critical] of [
      [1, 12.706],
      [2, 4.303],
      [5, 2.571],
      [10, 2.228],
      [30, 2.042],
    ] as const)
      expect(studentTwoSidedP(critical, df)).toBeCloseTo(0.05, 4);
  });

  it("gives p = 0.01 at the 99 % critical values and 1 at t = 0", () => {
    expect(studentTwoSidedP(9.925, 2)).toBeCloseTo(0.01, 4);
    expect(studentTwoSidedP(2.75, 30)).toBeCloseTo(0.01, 4);
    expect(studentTwoSidedP(0, 7)).toBe(1);
    expect(studentTwoSidedP(-2.571, 5)).toBeCloseTo(0.05, 4);
  });

  it("has the incomplete beta's closed forms", () => {
    // I_x(1, 1) = x; I_x(a, 1) = x^a; I_x(1, b) = 1 − (1 − x)^b.
    expect(incompleteBeta(0.3, 1, 1)).toBeCloseTo(0.3, 12);
    expect(incompleteBeta(0.6, 3, 1)).toBeCloseTo(0.216, 12);
    expect(incompleteBeta(0.2, 1, 4)).toBeCloseTo(1 - 0.8 ** 4, 12);
  });
});

describe("Welch's t-test", () => {
  it("matches a hand-worked example", () => {
    // a: mean 20, s 2, n 5 → s²/n 0.8; b: mean 23, s 4, n 10 → 1.6. t = −3/√2.4 = −1.9365;
    // df = 2.4² / (0.8²/4 + 1.6²/9) = 5.76 / (0.16 + 0.28444) = 12.96.
    const result = welchTest({ mean: 20, stddev: 2, samples: 5 }, { mean: 23, stddev: 4, samples: 10 })!;
    expect(result.t).toBeCloseTo(-1.9365, 4);
    expect(result.df).toBeCloseTo(12.96, 2);
    // Between the table's p 0.1 (t 1.771 at df 13) and 0.05 (2.160).
    expect(result.p).toBeGreaterThan(0.05);
    expect(result.p).toBeLessThan(0.1);
  });

  it("calls the issue's two-repetition speeds the same and clearly separated ones different", () => {
    expect(
      compareMeasured({ mean: 2894, stddev: 900, samples: 2 }, { mean: 5183, stddev: 2100, samples: 2 }),
    ).toBe("same");
    expect(compareMeasured({ mean: 100, stddev: 2, samples: 5 }, { mean: 110, stddev: 2, samples: 5 })).toBe(
      "higher",
    );
    expect(compareMeasured({ mean: 110, stddev: 2, samples: 5 }, { mean: 100, stddev: 2, samples: 5 })).toBe(
      "lower",
    );
  });

  it("says nothing without two samples on each side", () => {
    expect(welchTest({ mean: 1, stddev: null, samples: 1 }, { mean: 2, stddev: 1, samples: 5 })).toBeNull();
    expect(compareMeasured({ mean: 1, stddev: 0.1, samples: 1 }, { mean: 2, stddev: 1, samples: 5 })).toBe(
      "unknown",
    );
  });
});

describe("poolMeans", () => {
  it("gives the mean and sample spread of all the rounds' values together", () => {
    const rounds = [
      [10, 12, 11],
      [15, 14],
      [9, 13, 12, 10],
    ];
    const pooled = poolMeans(
      rounds.map((values) => {
        const s = summarize(values);
        return { mean: s.mean, stddev: s.stddev, samples: s.samples };
      }),
    );
    const direct = summarize(rounds.flat());
    expect(pooled.samples).toBe(9);
    expect(pooled.mean).toBeCloseTo(direct.mean, 12);
    expect(pooled.stddev).toBeCloseTo(direct.stddev!, 12);
  });

  it("counts a figure measured once per round as one value per round", () => {
    const pooled = poolMeans([
      { mean: 100, stddev: null, samples: 1 },
      { mean: 110, stddev: null, samples: 1 },
    ]);
    expect(pooled).toEqual({ mean: 105, stddev: summarize([100, 110]).stddev, samples: 2 });
  });
});
