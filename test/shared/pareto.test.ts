import { describe, expect, it } from "vitest";
import {
  bestUnderConstraints,
  dominates,
  paretoFront,
  satisfies,
  type Objective,
} from "../../src/shared/metrics/pareto.js";

interface Variant {
  name: string;
  sizeGb: number | null;
  ppl: number | null;
  tgTps: number | null;
}

// A hand-made family: smaller files are faster but worse.
const variants: Variant[] = [
  { name: "f16", sizeGb: 14.0, ppl: 5.8, tgTps: 8 },
  { name: "q8_0", sizeGb: 7.5, ppl: 5.81, tgTps: 15 },
  { name: "q6_k", sizeGb: 5.9, ppl: 5.83, tgTps: 18 },
  { name: "q5_k_m", sizeGb: 5.1, ppl: 5.86, tgTps: 20 },
  { name: "q5_0", sizeGb: 5.2, ppl: 5.9, tgTps: 19 }, // beaten by q5_k_m on both size and ppl
  { name: "q4_k_m", sizeGb: 4.4, ppl: 5.96, tgTps: 24 },
  { name: "q4_0", sizeGb: 4.4, ppl: 6.1, tgTps: 25 }, // same size as q4_k_m, worse ppl
  { name: "q3_k_s", sizeGb: 3.2, ppl: 6.7, tgTps: 28 },
  { name: "q2_k_bad", sizeGb: 3.3, ppl: 9.0, tgTps: 27 }, // bigger and worse than q3_k_s
  { name: "unmeasured", sizeGb: 2.0, ppl: null, tgTps: null },
];

const size: Objective<Variant> = { value: (v) => v.sizeGb, direction: "minimize" };
const ppl: Objective<Variant> = { value: (v) => v.ppl, direction: "minimize" };
const speed: Objective<Variant> = { value: (v) => v.tgTps, direction: "maximize" };
const names = (items: Variant[]) => items.map((v) => v.name);

describe("dominates", () => {
  it("needs no-worse on both and better on one", () => {
    const [, , , q5km, q50] = variants;
    expect(dominates(q5km!, q50!, size, ppl)).toBe(true);
    expect(dominates(q50!, q5km!, size, ppl)).toBe(false);
    expect(dominates(q5km!, q5km!, size, ppl)).toBe(false);
  });
  it("never lets an unmeasured item dominate or be dominated", () => {
    const unmeasured = variants[9]!;
    expect(dominates(unmeasured, variants[0]!, size, ppl)).toBe(false);
    expect(dominates(variants[0]!, unmeasured, size, ppl)).toBe(false);
  });
});

describe("paretoFront", () => {
  it("keeps the non-dominated variants ordered by the first objective", () => {
    expect(names(paretoFront(variants, size, ppl))).toEqual([
      "q3_k_s",
      "q4_k_m",
      "q5_k_m",
      "q6_k",
      "q8_0",
      "f16",
    ]);
  });
  it("honours maximise directions", () => {
    // Fast and accurate: q4_0 (25 tok/s) beats q4_k_m on speed only, so both stay; q5_0 and
    // q2_k_bad are dominated (q5_k_m is faster and better; q3_k_s is faster and better).
    expect(names(paretoFront(variants, speed, ppl))).toEqual([
      "q3_k_s",
      "q4_0",
      "q4_k_m",
      "q5_k_m",
      "q6_k",
      "q8_0",
      "f16",
    ]);
  });
  it("keeps exact duplicates together and handles an empty list", () => {
    const twins = [
      { name: "a", sizeGb: 1, ppl: 2, tgTps: 1 },
      { name: "b", sizeGb: 1, ppl: 2, tgTps: 1 },
      { name: "c", sizeGb: 1, ppl: 3, tgTps: 1 },
    ];
    expect(names(paretoFront(twins, size, ppl))).toEqual(["a", "b"]);
    expect(paretoFront([], size, ppl)).toEqual([]);
  });
});

describe("bestUnderConstraints", () => {
  it("finds the most accurate variant that fits 6 GB at ≥ 18 tok/s", () => {
    const best = bestUnderConstraints(
      variants,
      [
        { value: (v) => v.sizeGb, max: 6 },
        { value: (v) => v.tgTps, min: 18 },
      ],
      ppl,
    );
    expect(best?.name).toBe("q6_k");
  });
  it("treats bounds as inclusive and returns null when nothing fits", () => {
    expect(bestUnderConstraints(variants, [{ value: (v) => v.sizeGb, max: 4.4 }], ppl)?.name).toBe("q4_k_m");
    expect(bestUnderConstraints(variants, [{ value: (v) => v.sizeGb, max: 1 }], ppl)).toBeNull();
  });
  it("skips items without the constrained value", () => {
    expect(satisfies(variants[9]!, [{ value: (v) => v.tgTps, min: 0 }])).toBe(false);
    // "unmeasured" fits 2.5 GB but has no perplexity, so it cannot be the best by perplexity.
    expect(bestUnderConstraints(variants, [{ value: (v) => v.sizeGb, max: 2.5 }], ppl)).toBeNull();
  });
  it("breaks ties with the second objective, then input order", () => {
    // q4_k_m and q4_0 are both 4.4 GB: the smaller-file query ties; faster wins the tie.
    const underFive = [{ value: (v: Variant) => v.sizeGb, max: 5 }];
    const fourish = variants.filter((v) => v.sizeGb === 4.4);
    expect(bestUnderConstraints(fourish, underFive, size, speed)?.name).toBe("q4_0");
    expect(bestUnderConstraints(fourish, underFive, size)?.name).toBe("q4_k_m");
  });
});
