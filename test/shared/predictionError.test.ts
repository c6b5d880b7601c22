// The predicted-vs-measured error: measured / the middle of the predicted range − 1, and whether the
// measurement falls inside the range (ends included); and the generation range it is checked against.
import { describe, expect, it } from "vitest";
import { generationRange } from "../../src/shared/metrics/devicePrediction.js";
import { predictionError } from "../../src/shared/metrics/predictionError.js";

describe("predictionError", () => {
  const range = { lowTokensPerSecond: 10, highTokensPerSecond: 30 };

  it("is zero at the middle of the range", () => {
    expect(predictionError(20, range)).toEqual({ error: 0, inside: true });
  });

  it("is the share above or below the middle", () => {
    expect(predictionError(25, range).error).toBeCloseTo(0.25, 12);
    expect(predictionError(15, range).error).toBeCloseTo(-0.25, 12);
  });

  it("counts the ends as inside and anything beyond as outside", () => {
    expect(predictionError(10, range).inside).toBe(true);
    expect(predictionError(30, range).inside).toBe(true);
    expect(predictionError(9.99, range)).toMatchObject({ inside: false });
    expect(predictionError(45, range)).toEqual({ error: 1.25, inside: false });
  });
});

describe("generationRange", () => {
  it("reads weights plus KV cache at the low end and weights alone at the high end", () => {
    const r = generationRange(100e9, { low: 0.4, high: 0.8 }, 1e9, 1e9);
    expect(r.lowTokensPerSecond).toBeCloseTo(20, 9);
    expect(r.highTokensPerSecond).toBeCloseTo(80, 9);
  });

  it("at an empty context both ends read the weights alone", () => {
    const r = generationRange(50e9, { low: 0.5, high: 0.5 }, 2e9, 0);
    expect(r).toEqual({ lowTokensPerSecond: 12.5, highTokensPerSecond: 12.5 });
  });
});
