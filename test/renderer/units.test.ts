// The number formats the decision screens add to shared/format.ts: every value with its unit and
// the precision the issue asks for (PPL 3 decimals, KLD 4, tok/s 1, ms by magnitude).
import { describe, expect, it } from "vitest";
import {
  formatKld,
  formatMilliseconds,
  formatPerplexity,
  formatTokensPerSecondFixed,
} from "../../src/shared/format.js";

describe("decision-screen number formats", () => {
  it("perplexity with three decimals and its uncertainty", () => {
    expect(formatPerplexity(12.34567)).toBe("12.346");
    expect(formatPerplexity(6.1, 0.0456)).toBe("6.100 ± 0.046");
    expect(formatPerplexity(null)).toBe("—");
  });

  it("KL divergence with four decimals", () => {
    expect(formatKld(0.012345)).toBe("0.0123");
    expect(formatKld(0)).toBe("0.0000");
    expect(formatKld(Number.NaN)).toBe("—");
  });

  it("tokens per second with one decimal and thousands separators", () => {
    expect(formatTokensPerSecondFixed(23.456)).toBe("23.5 tok/s");
    expect(formatTokensPerSecondFixed(1234.56)).toBe("1,234.6 tok/s");
    expect(formatTokensPerSecondFixed(7)).toBe("7.0 tok/s");
  });

  it("milliseconds by magnitude", () => {
    expect(formatMilliseconds(0.853)).toBe("0.85 ms");
    expect(formatMilliseconds(23.44)).toBe("23.4 ms");
    expect(formatMilliseconds(1234.4)).toBe("1,234 ms");
    expect(formatMilliseconds(undefined)).toBe("—");
  });
});
