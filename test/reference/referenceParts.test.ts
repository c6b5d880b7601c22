// The pure parts of the reference-model recipe: the unigram baseline, training windows, the year
// split, and the cache key.
import { describe, expect, it } from "vitest";
import { unigramCounts, unigramPerplexity } from "../../src/core/reference/unigramBaseline.js";
import { nextTokenWindows, spreadWindows } from "../../src/core/reference/tokenWindows.js";
import { readSotuAddresses, splitByYear } from "../../src/core/reference/sotuCorpus.js";
import { recipeHash, referenceRecipe } from "../../src/core/reference/referenceRecipe.js";

describe("unigram baseline", () => {
  it("is add-one smoothed over the whole vocabulary", () => {
    const counts = unigramCounts([0, 0, 0, 1], 4); // total 4, denominator 4 + 4
    expect(unigramPerplexity(counts, [0])).toBeCloseTo(8 / 4, 12);
    expect(unigramPerplexity(counts, [3])).toBeCloseTo(8 / 1, 12);
    expect(unigramPerplexity(counts, [0, 3])).toBeCloseTo(Math.sqrt(2 * 8), 12);
    expect(() => unigramCounts([5], 4)).toThrow(/outside/);
  });
});

describe("token windows", () => {
  it("pairs every input with the next token and drops the short tail", () => {
    const w = nextTokenWindows([1, 2, 3, 4, 5, 6, 7, 8], 3);
    expect(w.windows).toBe(2);
    expect(Array.from(w.data)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Array.from(w.labels)).toEqual([2, 3, 4, 5, 6, 7]);
  });

  it("spreads a subset evenly over the stream", () => {
    const all = nextTokenWindows(
      Array.from({ length: 41 }, (_, i) => i),
      4,
    ); // 10 windows
    const some = spreadWindows(all, 3);
    expect(some.windows).toBe(3);
    expect(Array.from(some.data.subarray(0, 4))).toEqual([0, 1, 2, 3]);
    expect(Array.from(some.data.subarray(4, 8))).toEqual([12, 13, 14, 15]); // window 3
    expect(Array.from(some.labels.subarray(8, 12))).toEqual([25, 26, 27, 28]); // window 6
    expect(spreadWindows(all, 20)).toBe(all);
  });
});

describe("address split and recipe hash", () => {
  const addresses = readSotuAddresses();

  it("reads every address from the package and holds out two disjoint sets of years", () => {
    expect(addresses.length).toBeGreaterThan(200);
    const split = splitByYear(addresses, referenceRecipe("full").split);
    expect(split.train.length + split.eval.length + split.calibration.length).toBe(addresses.length);
    expect(split.eval.every((a) => a.year % 20 === 5)).toBe(true);
    expect(split.calibration.every((a) => a.year % 20 === 15)).toBe(true);
    expect(split.train.length).toBeGreaterThan(split.eval.length * 10);
  });

  it("changes with the recipe and the text, and only then", () => {
    const full = referenceRecipe("full");
    const h = recipeHash(full, addresses);
    expect(h).toMatch(/^[0-9a-f]{16}$/);
    expect(recipeHash(full, addresses)).toBe(h);
    expect(recipeHash(referenceRecipe("quick"), addresses)).not.toBe(h);
    expect(
      recipeHash({ ...full, training: { ...full.training, lr: full.training.lr * 2 } }, addresses),
    ).not.toBe(h);
    const edited = addresses.map((a, i) => (i === 7 ? { ...a, text: `${a.text} ` } : a));
    expect(recipeHash(full, edited)).not.toBe(h);
  });
});
