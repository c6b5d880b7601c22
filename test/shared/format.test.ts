import { describe, expect, it } from "vitest";
import {
  formatBitsPerWeight,
  formatClockTime,
  formatBytes,
  formatDateTime,
  formatDuration,
  formatFileType,
  formatInteger,
  formatParams,
  formatPercent,
  formatShape,
  formatTokensPerSecond,
} from "../../src/shared/format.js";

describe("formatBytes", () => {
  it("uses decimal units with three significant digits", () => {
    expect(formatBytes(0)).toBe("0 B");
    expect(formatBytes(999)).toBe("999 B");
    expect(formatBytes(1000)).toBe("1 kB");
    expect(formatBytes(1536)).toBe("1.54 kB");
    expect(formatBytes(37_400_000)).toBe("37.4 MB");
    expect(formatBytes(37_449_999)).toBe("37.4 MB");
    expect(formatBytes(4_368_439_584)).toBe("4.37 GB");
    expect(formatBytes(123_456_789)).toBe("123 MB");
  });
  it("moves to the next unit when rounding reaches it", () => {
    expect(formatBytes(999_960)).toBe("1 MB");
    expect(formatBytes(999_499)).toBe("999 kB");
  });
  it("supports binary units", () => {
    expect(formatBytes(1_048_576, { binary: true })).toBe("1 MiB");
    expect(formatBytes(1023, { binary: true })).toBe("1023 B");
    expect(formatBytes(3 * 1024 ** 3 + 512 * 1024 ** 2, { binary: true })).toBe("3.5 GiB");
  });
  it("shows a dash for missing values", () => {
    expect(formatBytes(null)).toBe("—");
    expect(formatBytes(Number.NaN)).toBe("—");
  });
});

describe("formatParams", () => {
  it("writes counts the way model cards do", () => {
    expect(formatParams(12_600_000)).toBe("12.6 M");
    expect(formatParams(7_241_732_096)).toBe("7.24 B");
    expect(formatParams(820_000)).toBe("820 K");
    expect(formatParams(999_999_999)).toBe("1 B");
    expect(formatParams(512)).toBe("512");
    expect(formatParams(undefined)).toBe("—");
  });
});

describe("formatInteger", () => {
  it("groups thousands", () => {
    expect(formatInteger(1_234_567)).toBe("1,234,567");
    expect(formatInteger(-4096)).toBe("-4,096");
    expect(formatInteger(12)).toBe("12");
  });
});

describe("formatDuration", () => {
  it("covers milliseconds to hours", () => {
    expect(formatDuration(0)).toBe("0 ms");
    expect(formatDuration(0.0042)).toBe("4.2 ms");
    expect(formatDuration(0.85)).toBe("850 ms");
    expect(formatDuration(12.34)).toBe("12.3 s");
    expect(formatDuration(59.97)).toBe("1 min 00 s");
    expect(formatDuration(245)).toBe("4 min 05 s");
    expect(formatDuration(7620)).toBe("2 h 07 min");
    expect(formatDuration(null)).toBe("—");
  });
});

describe("rates and ratios", () => {
  it("formats throughput, bits per weight and percentages", () => {
    expect(formatTokensPerSecond(23.456)).toBe("23.5 tok/s");
    expect(formatTokensPerSecond(0.5)).toBe("0.5 tok/s");
    expect(formatTokensPerSecond(1834.2)).toBe("1,834 tok/s");
    expect(formatBitsPerWeight(4.8512)).toBe("4.85 bpw");
    expect(formatPercent(0.4237)).toBe("42.4 %");
    expect(formatPercent(1, 0)).toBe("100 %");
  });
});

describe("formatShape, formatDateTime, formatFileType", () => {
  it("formats the rest", () => {
    expect(formatShape([4096, 32000])).toBe("4096 × 32000");
    expect(formatShape([])).toBe("scalar");
    expect(formatDateTime("2026-11-23T09:07:58.123Z", { utc: true })).toBe("2026-11-23 09:07");
    expect(formatDateTime("not a date")).toBe("—");
    expect(formatClockTime("2026-11-23T09:07:58.123Z", { utc: true })).toBe("09:07:58");
    expect(formatClockTime(null)).toBe("—");
    expect(formatFileType("MOSTLY_Q4_K_M")).toBe("Q4_K_M");
    expect(formatFileType("ALL_F32")).toBe("F32");
    expect(formatFileType(null)).toBe("—");
  });
});
