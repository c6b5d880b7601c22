import { describe, expect, it } from "vitest";
import type { ExperimentRow } from "../../src/shared/domain/experiment.js";
import { withFronts } from "../../src/shared/metrics/tradeoffs.js";

type Core = Omit<ExperimentRow, "front">;

function row(label: string, fields: Partial<Core>): Core {
  return {
    modelId: label,
    stage: "original",
    label,
    quantType: label,
    isBase: false,
    usesImatrix: false,
    path: `/m/${label}.gguf`,
    sizeBytes: 0,
    bitsPerWeight: null,
    loadColdMs: null,
    loadWarmMs: null,
    ppShortTokensPerSecond: null,
    ppLongTokensPerSecond: null,
    tgTokensPerSecond: null,
    appTgTokensPerSecond: null,
    ttftP50Ms: null,
    ttftP95Ms: null,
    itlP99Ms: null,
    peakRssBytes: null,
    ppl: null,
    pplUncertainty: null,
    kldUncertainty: null,
    pplRatio: null,
    kldMean: null,
    devices: { bench: null, eval: null },
    kldP99: null,
    sameTopPercent: null,
    ...fields,
  };
}

/** A speed measured five times with a small spread: gaps of 1 tok/s and more are beyond noise. */
const steady = (tg: number): Partial<Core> => ({
  tgTokensPerSecond: tg,
  spread: { tgTokensPerSecond: { stddev: 0.1, samples: 5 } },
});

describe("withFronts", () => {
  // Hand-worked example. Sizes (MB) and KLD:
  //   base 100 / 0 (by definition), q8 53 / 0.001, q6 41 / 0.004, q5 36 / 0.010,
  //   bad 45 / 0.020 (bigger and worse than q6: dominated), q2 20 / 0.300.
  // Size-vs-KLD front: base, q8, q6, q5, q2. Speeds (tok/s): base 10, q8 18, q6 22, q5 21, bad 25, q2 30:
  // speed-vs-KLD front: base (KLD 0), q8 (faster than base), q6 (faster than q8), bad (faster than q6,
  // q5 is slower than q6 with more KLD: dominated), q2 (fastest). Memory is unmeasured: only rows with
  // both values can be on a front, so none is.
  const rows = withFronts([
    row("base", { isBase: true, sizeBytes: 100, ...steady(10) }),
    row("q8", { sizeBytes: 53, kldMean: 0.001, ...steady(18) }),
    row("q6", { sizeBytes: 41, kldMean: 0.004, ...steady(22) }),
    row("q5", { sizeBytes: 36, kldMean: 0.01, ...steady(21) }),
    row("bad", { sizeBytes: 45, kldMean: 0.02, ...steady(25) }),
    row("q2", { sizeBytes: 20, kldMean: 0.3, ...steady(30) }),
  ]);
  const on = (axis: keyof ExperimentRow["front"]) => rows.filter((r) => r.front[axis]).map((r) => r.label);

  it("marks the size-vs-KLD front, the base anchoring it at KLD 0", () => {
    expect(on("sizeVsKld")).toEqual(["base", "q8", "q6", "q5", "q2"]);
  });

  it("marks the speed-vs-KLD front with speed maximised", () => {
    expect(on("speedVsKld")).toEqual(["base", "q8", "q6", "bad", "q2"]);
  });

  it("leaves rows without a measurement off that front", () => {
    expect(on("memoryVsKld")).toEqual([]);
  });

  it("keeps variants without an evaluation off every front", () => {
    const [base, unevaluated] = withFronts([
      row("base", { isBase: true, sizeBytes: 100 }),
      row("q4", { sizeBytes: 10, kldMean: null }),
    ]);
    expect(base!.front.sizeVsKld).toBe(true);
    expect(unevaluated!.front).toEqual({ sizeVsKld: false, speedVsKld: false, memoryVsKld: false });
  });

  describe("beyond noise", () => {
    // The case: on one idle machine Q8_0 5,183, Q6_K 2,894 and the base 3,535 tok/s, but from
    // two repetitions each spread over thousands of tok/s. Nothing separates them.
    const noisy = (tg: number, stddev: number): Partial<Core> => ({
      tgTokensPerSecond: tg,
      spread: { tgTokensPerSecond: { stddev, samples: 2 } },
    });
    const rows = withFronts([
      row("base", { isBase: true, sizeBytes: 100, ...noisy(3535, 1400) }),
      row("q8", { sizeBytes: 53, kldMean: 0.001, ...noisy(5183, 2100) }),
      row("q6", { sizeBytes: 41, kldMean: 0.004, ...noisy(2894, 900) }),
      row("q2", { sizeBytes: 20, kldMean: 0.3, ...noisy(5300, 2600) }),
    ]);
    const on = (axis: keyof ExperimentRow["front"]) => rows.filter((r) => r.front[axis]).map((r) => r.label);

    it("puts no variant on the speed front for a speed difference within noise", () => {
      // Speeds indistinguishable: the front is decided by KLD alone, which the base wins.
      expect(on("speedVsKld")).toEqual(["base"]);
      // Size is exact: that front is unchanged by the noise.
      expect(on("sizeVsKld")).toEqual(["base", "q8", "q6", "q2"]);
    });

    it("lets a difference beyond noise count again", () => {
      const clear = withFronts([
        row("base", { isBase: true, sizeBytes: 100, ...noisy(3500, 20) }),
        row("q2", { sizeBytes: 20, kldMean: 0.3, ...noisy(5300, 20) }),
      ]);
      expect(clear.filter((r) => r.front.speedVsKld).map((r) => r.label)).toEqual(["base", "q2"]);
    });

    it("ranks nothing on a speed measured once (no spread)", () => {
      const once = withFronts([
        row("base", { isBase: true, sizeBytes: 100, tgTokensPerSecond: 10 }),
        row("q2", { sizeBytes: 20, kldMean: 0.3, tgTokensPerSecond: 30 }),
      ]);
      expect(once.filter((r) => r.front.speedVsKld).map((r) => r.label)).toEqual(["base"]);
    });
  });
});
