// The real-size benchmark models (bench/realSizeModels.ts) are too large to build in CI; this checks
// only that their shapes are Llama 3.2's, by the parameter counts of the released models.
import { describe, expect, it } from "vitest";
import { parameterCount, realSizes } from "../../bench/realSizeModels.js";

describe("real-size benchmark shapes", () => {
  it("match Llama 3.2 1B and 3B (output tied to the token embedding)", () => {
    expect(realSizes).toEqual(["1B", "3B"]);
    // Llama 3.2 1B and 3B as released: 1,235,814,400 and 3,212,749,824 parameters.
    expect(parameterCount("1B", { tiedOutput: true })).toBe(1_235_814_400);
    expect(parameterCount("3B", { tiedOutput: true })).toBe(3_212_749_824);
  });

  it("count the separate output matrix createModel writes: one 128,256-piece embedding more", () => {
    expect(parameterCount("1B") - parameterCount("1B", { tiedOutput: true })).toBe(128_256 * 2048);
    expect(parameterCount("3B") - parameterCount("3B", { tiedOutput: true })).toBe(128_256 * 3072);
  });
});
