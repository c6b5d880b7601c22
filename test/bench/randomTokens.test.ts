import { describe, expect, it } from "vitest";
import { randomTokens, seededRandom } from "../../src/core/bench/randomTokens.js";

describe("randomTokens", () => {
  it("is reproducible for a seed and differs between seeds", () => {
    const a = randomTokens(seededRandom(42), 32000, 64);
    const b = randomTokens(seededRandom(42), 32000, 64);
    const c = randomTokens(seededRandom(43), 32000, 64);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });
  it("stays inside the vocabulary and covers it", () => {
    const tokens = randomTokens(seededRandom(7), 10, 2000);
    expect(tokens.every((t) => Number.isInteger(t) && t >= 0 && t < 10)).toBe(true);
    expect(new Set(tokens).size).toBe(10);
  });
  it("puts the given first token (BOS) first", () => {
    const tokens = randomTokens(seededRandom(1), 300, 5, 1);
    expect(tokens).toHaveLength(5);
    expect(tokens[0]).toBe(1);
  });
  it("yields uniform values in [0, 1)", () => {
    const random = seededRandom(123);
    let sum = 0;
    for (let i = 0; i < 10000; i++) {
      const x = random();
      expect(x >= 0 && x < 1).toBe(true);
      sum += x;
    }
    expect(sum / 10000).toBeCloseTo(0.5, 1);
  });
});
