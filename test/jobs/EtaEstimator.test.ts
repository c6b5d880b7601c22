// The ETA from progress history: unknown at first, close to the truth for steady progress, and not
// fooled by a slow start once the window has moved on.
import { describe, expect, it } from "vitest";
import { EtaEstimator } from "../../src/core/jobs/EtaEstimator.js";

describe("EtaEstimator", () => {
  it("is unknown without a fraction or before a second of history", () => {
    const eta = new EtaEstimator();
    expect(eta.update(null, 0)).toBeNull();
    expect(eta.update(0, 0)).toBeNull();
    expect(eta.update(0.05, 500)).toBeNull();
  });

  it("estimates steady progress (10 % per second) to within a few percent", () => {
    const eta = new EtaEstimator();
    let last: number | null = null;
    for (let ms = 0; ms <= 4000; ms += 250) last = eta.update(ms / 10_000, ms);
    // 40 % done at 4 s: 6 s left.
    expect(last).not.toBeNull();
    expect(Math.abs(last! - 6)).toBeLessThan(0.2);
  });

  it("forgets a slow start once it leaves the window", () => {
    const eta = new EtaEstimator({ windowMs: 2000 });
    let last: number | null = null;
    // 10 s at 1 %/s, then 20 %/s.
    for (let ms = 0; ms <= 10_000; ms += 500) last = eta.update(ms / 100_000, ms);
    for (let ms = 10_500; ms <= 14_000; ms += 250) last = eta.update(0.1 + (ms - 10_000) / 5000, ms);
    // At 14 s: 0.9 done, 0.1 left at 0.2/s = 0.5 s.
    expect(last!).toBeGreaterThan(0.3);
    expect(last!).toBeLessThan(1);
  });

  it("starts over when progress goes backwards (a new phase) and says 0 when done", () => {
    const eta = new EtaEstimator();
    eta.update(0.5, 0);
    eta.update(0.9, 2000);
    expect(eta.update(0.1, 2500)).toBeNull();
    expect(eta.update(1, 4000)).toBe(0);
  });
});
