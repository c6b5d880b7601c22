// The trade-off logic the Compare screen uses, on a hand-made experiment whose answers are known:
// Pareto fronts (from the shared code the server uses), the chart's front line, the table's sorting
// and filtering, and the "best variant that fits" query.
import { describe, expect, it } from "vitest";
import type { ExperimentRow } from "../../src/shared/domain/experiment.js";
import { withFronts } from "../../src/shared/metrics/tradeoffs.js";
import { compareColumns } from "../../src/shared/metrics/experimentColumns.js";
import { columnStanding, noiseNotes } from "../../src/shared/metrics/bestBeyondNoise.js";
import { bestByColumn, filterRows, sortRows } from "../../src/renderer/pages/compare/compareRows.js";
import { answerFitQuery } from "../../src/renderer/pages/compare/fitQuery.js";
import { frontLine, plotPoints, tradeoffPlots } from "../../src/renderer/pages/compare/tradeoffPlots.js";

const GB = 1e9;

function row(
  label: string,
  sizeGb: number,
  tg: number | null,
  kld: number | null,
  peakGb: number | null,
  isBase = false,
): Omit<ExperimentRow, "front"> {
  return {
    modelId: `m-${label}`,
    stage: "original",
    label,
    quantType: isBase ? null : label,
    isBase,
    usesImatrix: false,
    path: `/models/${label}.gguf`,
    sizeBytes: sizeGb * GB,
    bitsPerWeight: (sizeGb / 14) * 16,
    loadColdMs: null,
    loadWarmMs: null,
    ppShortTokensPerSecond: null,
    ppLongTokensPerSecond: null,
    tgTokensPerSecond: tg,
    appTgTokensPerSecond: null,
    ttftP50Ms: null,
    ttftP95Ms: null,
    itlP99Ms: null,
    peakRssBytes: peakGb === null ? null : peakGb * GB,
    ppl: null,
    pplUncertainty: null,
    kldUncertainty: null,
    pplRatio: null,
    kldMean: isBase ? null : kld,
    kldP99: null,
    sameTopPercent: null,
    devices: { bench: null, eval: null },
    // Steady measurements (five reps, small spread): every gap below is beyond noise.
    spread: {
      ...(tg === null ? {} : { tgTokensPerSecond: { stddev: 0.1, samples: 5 } }),
      ...(peakGb === null ? {} : { peakRssBytes: { stddev: 1e6, samples: 5 } }),
    },
  };
}

// A 7B family. Q5_0 is beaten by Q5_K_M on size and KLD; Q4_0 is faster than Q4_K_M but worse.
const rows = withFronts([
  row("F16", 14.0, 8.0, null, 14.6, true),
  row("Q8_0", 7.5, 14.0, 0.001, 8.0),
  row("Q5_K_M", 5.1, 18.5, 0.006, 5.6),
  row("Q5_0", 5.2, 18.0, 0.01, 5.7),
  row("Q4_K_M", 4.4, 21.0, 0.015, 4.9),
  row("Q4_0", 4.4, 23.5, 0.04, 4.9),
  row("Q2_K", 2.9, 25.0, 0.2, 3.4),
  row("IQ3_XS", 3.1, null, null, null), // quantized, not measured yet
]);
const byLabel = (label: string) => rows.find((r) => r.label === label)!;
const labels = (list: readonly ExperimentRow[]) => list.map((r) => r.label);

describe("Pareto front flags", () => {
  it("size vs KLD: the dominated Q5_0 and the same-size-but-worse Q4_0 are off the front", () => {
    expect(labels(rows.filter((r) => r.front.sizeVsKld))).toEqual([
      "F16",
      "Q8_0",
      "Q5_K_M",
      "Q4_K_M",
      "Q2_K",
    ]);
  });

  it("speed vs KLD: Q4_0 is on the front because it is faster", () => {
    expect(byLabel("Q4_0").front.speedVsKld).toBe(true);
    expect(byLabel("Q5_0").front.speedVsKld).toBe(false);
  });

  it("an unmeasured variant is on no front", () => {
    expect(byLabel("IQ3_XS").front).toEqual({ sizeVsKld: false, speedVsKld: false, memoryVsKld: false });
  });
});

describe("the charts' points and front line", () => {
  const sizePlot = tradeoffPlots.find((p) => p.axis === "sizeVsKld")!;
  const speedPlot = tradeoffPlots.find((p) => p.axis === "speedVsKld")!;

  it("plots measured rows, the base at KLD 0, and counts the rest", () => {
    const { points, missing } = plotPoints(rows, sizePlot);
    expect(points).toHaveLength(7);
    expect(missing).toBe(1);
    expect(points.find((p) => p.isBase)).toMatchObject({ x: 14 * GB, y: 0, onFront: true });
  });

  it("draws the front in x order so the line is a staircase, not a zigzag", () => {
    expect(frontLine(plotPoints(rows, sizePlot).points).map((p) => p.label)).toEqual([
      "Q2_K",
      "Q4_K_M",
      "Q5_K_M",
      "Q8_0",
      "F16",
    ]);
    const speedLine = frontLine(plotPoints(rows, speedPlot).points);
    expect(speedLine.map((p) => p.x)).toEqual([...speedLine.map((p) => p.x)].sort((a, b) => a - b));
    expect(speedLine.map((p) => p.label)).toContain("Q4_0");
  });
});

describe("the table's sorting and filtering", () => {
  it("sorts numerically both ways with unmeasured values last", () => {
    expect(labels(sortRows(rows, { key: "tg", descending: true }))).toEqual([
      "Q2_K",
      "Q4_0",
      "Q4_K_M",
      "Q5_K_M",
      "Q5_0",
      "Q8_0",
      "F16",
      "IQ3_XS",
    ]);
    expect(labels(sortRows(rows, { key: "tg", descending: false })).at(-1)).toBe("IQ3_XS");
    expect(labels(sortRows(rows, { key: "kldMean", descending: false })).slice(0, 2)).toEqual([
      "Q8_0",
      "Q5_K_M",
    ]);
  });

  it("keeps the experiment's order for ties", () => {
    expect(labels(sortRows(rows, { key: "size", descending: false })).slice(2, 4)).toEqual([
      "Q4_K_M",
      "Q4_0",
    ]);
  });

  it("filters by text, by front and by completeness", () => {
    expect(labels(filterRows(rows, { text: "q4", front: null, measuredOnly: false }))).toEqual([
      "Q4_K_M",
      "Q4_0",
    ]);
    expect(labels(filterRows(rows, { text: "", front: "sizeVsKld", measuredOnly: false }))).not.toContain(
      "Q5_0",
    );
    expect(labels(filterRows(rows, { text: "", front: null, measuredOnly: true }))).not.toContain("IQ3_XS");
  });

  it("marks no best on a difference within noise, and says which values are tied", () => {
    // Q2_K (25.0) against Q4_0 (23.5) now spread ±2 over five reps each: not separable (t 1.19);
    // Q4_K_M (21.0 ± 0.1) still is (t 4.5, p 0.01).
    const noisy = rows.map((r) =>
      r.label === "Q2_K" || r.label === "Q4_0"
        ? { ...r, spread: { ...r.spread, tgTokensPerSecond: { stddev: 2, samples: 5 } } }
        : r,
    );
    expect(bestByColumn(noisy).get("tg")).toBeUndefined();
    const tg = compareColumns.find((c) => c.key === "tg")!;
    const standing = columnStanding(noisy, tg)!;
    expect(standing.leader.label).toBe("Q2_K");
    expect(standing.tied.map((r) => r.label)).toEqual(["Q4_0"]);
    expect(noiseNotes(noisy, [tg])).toEqual(["Generation: best Q2_K, within noise of it: Q4_0"]);
    expect(noiseNotes(rows, [tg])).toEqual(["Generation: best Q2_K, beyond noise"]);
    const once = rows.map((r) => ({ ...r, spread: {} }));
    expect(bestByColumn(once).get("tg")).toBeUndefined();
    expect(noiseNotes(once, [tg])).toEqual([
      "Generation: one measurement per variant, no spread: not ranked",
    ]);
  });

  it("marks the best value per column among the variants", () => {
    const best = bestByColumn(rows);
    expect(best.get("tg")).toBe("m-Q2_K");
    expect(best.get("kldMean")).toBe("m-Q8_0");
    expect(best.get("size")).toBe("m-Q2_K");
  });

  it("formats every column with its unit and precision", () => {
    const format = (key: string, r: ExperimentRow) => compareColumns.find((c) => c.key === key)!.format(r);
    const q4 = {
      ...byLabel("Q4_K_M"),
      ppl: 6.12345,
      pplUncertainty: 0.04321,
      kldUncertainty: null,
      ttftP50Ms: 123.4,
      itlP99Ms: 8.456,
      sameTopPercent: 91.234,
    };
    expect(format("size", q4)).toBe("4.4 GB");
    expect(format("tg", q4)).toBe("21.0 ± 0.1 tok/s");
    expect(format("peakRss", q4)).toBe("4.9 GB ± 1 MB");
    expect(format("kldMean", q4)).toBe("0.0150");
    expect(format("ppl", q4)).toBe("6.123 ± 0.043");
    expect(format("ttftP50", q4)).toBe("123 ms");
    expect(format("itlP99", q4)).toBe("8.46 ms");
    expect(format("sameTop", q4)).toBe("91.2 %");
    expect(format("peakRss", byLabel("IQ3_XS"))).toBe("—");
  });
});

describe("best variant that fits N GB at ≥ M tok/s", () => {
  it("picks the lowest-KLD variant within both limits", () => {
    const answer = answerFitQuery(rows, { maxGb: 6, minTokensPerSecond: 15, basis: "peakMemory" });
    expect(answer.best?.label).toBe("Q5_K_M");
    expect(labels(answer.candidates)).toEqual(["Q5_K_M", "Q5_0", "Q4_K_M", "Q4_0", "Q2_K"]);
  });

  it("a speed floor can rule out the better-quality variants", () => {
    expect(answerFitQuery(rows, { maxGb: 6, minTokensPerSecond: 22, basis: "peakMemory" }).best?.label).toBe(
      "Q4_0",
    );
  });

  it("file size is a looser basis than peak memory", () => {
    expect(
      answerFitQuery(rows, { maxGb: 5.5, minTokensPerSecond: 15, basis: "peakMemory" }).best?.label,
    ).toBe("Q4_K_M");
    expect(answerFitQuery(rows, { maxGb: 5.5, minTokensPerSecond: 15, basis: "fileSize" }).best?.label).toBe(
      "Q5_K_M",
    );
  });

  it("says why nothing matches", () => {
    expect(answerFitQuery(rows, { maxGb: 100, minTokensPerSecond: 50, basis: "peakMemory" }).reason).toBe(
      "No variant reaches 50 tok/s.",
    );
    expect(answerFitQuery(rows, { maxGb: 1, minTokensPerSecond: 10, basis: "peakMemory" }).reason).toBe(
      "No variant that fast fits in 1 GB.",
    );
    const unbenched = rows.map((r) => ({ ...r, tgTokensPerSecond: null }));
    expect(answerFitQuery(unbenched, { maxGb: 10, minTokensPerSecond: 1, basis: "fileSize" }).reason).toMatch(
      /speed benchmark/,
    );
  });
});
