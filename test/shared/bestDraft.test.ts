// The best-draft table and the budget query over hand-made speculative runs: drafts share a rank
// while Welch's t-test cannot separate their speedups, a draft is "best" only when it stands alone,
// and the budget query picks the fastest pair that fits (speedup × the target's own speed), with the
// target's quality, on measured memory or on the two files.
import { describe, expect, it } from "vitest";
import type { SpeculationRow } from "../../src/shared/domain/experiment.js";
import {
  bestDraftColumns,
  bestDraftTable,
  bestPairWithinBudget,
  speculativeTargets,
} from "../../src/shared/metrics/bestDraft.js";
import { measuredRow, summaryOf } from "../helpers/experimentRows.js";

function run(
  target: string,
  draft: string,
  speedup: [mean: number, stddev: number | null],
  fields: Partial<SpeculationRow> = {},
): SpeculationRow {
  return {
    runId: `r-${target}-${draft}`,
    targetModelId: `m-${target}`,
    targetLabel: target,
    draftModelId: `m-${draft}`,
    draftLabel: draft,
    targetSizeBytes: 16e6,
    draftSizeBytes: 4e6,
    draftMax: 4,
    acceptanceRate: 0.5,
    meanAcceptedLength: 1.5,
    speedup: { mean: speedup[0], stddev: speedup[1], samples: speedup[1] === null ? 1 : 5 },
    targetTokensPerSecond: { mean: 100, stddev: 1, samples: 5 },
    speculativeTokensPerSecond: { mean: 100 * speedup[0], stddev: 1, samples: 5 },
    combinedMemoryBytes: 22e6,
    ...fields,
  };
}

describe("bestDraftTable", () => {
  it("ranks drafts only where their speedups differ beyond noise", () => {
    const runs = [
      run("base", "Q2_K", [1.2, 0.02]),
      run("base", "Q8_0", [1.5, 0.02]),
      run("base", "Q4_0", [1.51, 0.03]),
      run("Q8_0", "Q2_K", [3, 0.01]),
    ];
    const table = bestDraftTable(runs, "m-base");
    expect(table.map((r) => r.run.draftLabel)).toEqual(["Q4_0", "Q8_0", "Q2_K"]);
    // Q4_0 and Q8_0 are within noise of each other: both rank 1, neither is "best".
    expect(table.map((r) => r.rank)).toEqual([1, 1, 3]);
    expect(table.some((r) => r.best)).toBe(false);
    expect(table[0]!.combinedSizeBytes).toBe(20e6);
    expect(bestDraftColumns.map((c) => c.format(table[0]!))).toContain("1.51 ± 0.03 x");
  });

  it("names a best draft when it is faster than every other beyond noise", () => {
    const table = bestDraftTable(
      [run("base", "Q8_0", [2, 0.01]), run("base", "Q2_K", [1.2, 0.01])],
      "m-base",
    );
    expect(table.map((r) => [r.run.draftLabel, r.rank, r.best])).toEqual([
      ["Q8_0", 1, true],
      ["Q2_K", 2, false],
    ]);
  });

  it("ranks nothing on single measurements (no spread, no verdict)", () => {
    const table = bestDraftTable([run("base", "Q8_0", [2, null]), run("base", "Q2_K", [1, null])], "m-base");
    expect(table.map((r) => r.rank)).toEqual([1, 1]);
  });

  it("lists each target once with its number of drafts", () => {
    expect(
      speculativeTargets([run("base", "A", [1, 0]), run("Q8_0", "A", [1, 0]), run("base", "B", [1, 0])]),
    ).toEqual([
      { modelId: "m-base", label: "base", drafts: 2 },
      { modelId: "m-Q8_0", label: "Q8_0", drafts: 1 },
    ]);
  });
});

describe("bestPairWithinBudget", () => {
  const rows = summaryOf([
    measuredRow("base", { isBase: true, tgTokensPerSecond: 100 }),
    measuredRow("Q8_0", { tgTokensPerSecond: 200, kldMean: 0.004 }),
  ]).rows;
  const runs = [
    // base + Q2_K: 1.5 × 100 = 150 tok/s in 20 MB; Q8_0 + Q2_K: 1.1 × 200 = 220 tok/s in 12 MB.
    run("base", "Q2_K", [1.5, 0.01], { combinedMemoryBytes: 20e6 }),
    run("Q8_0", "Q2_K", [1.1, 0.01], { targetSizeBytes: 8e6, combinedMemoryBytes: 12e6 }),
  ];

  it("answers the fastest pair that fits, with the target's quality", () => {
    const answer = bestPairWithinBudget(runs, rows, { maxBytes: 25e6, basis: "measured" });
    expect(answer.best?.run.targetLabel).toBe("Q8_0");
    expect(answer.best?.tokensPerSecond.mean).toBeCloseTo(220);
    expect(answer.best?.kld).toBe(0.004);
    expect(answer.fitting).toBe(2);
    expect(answer.tied).toEqual([]);
  });

  it("leaves out pairs over the budget, on measured memory or on the files", () => {
    expect(
      bestPairWithinBudget(runs, rows, { maxBytes: 15e6, basis: "measured" }).best?.run.targetLabel,
    ).toBe("Q8_0");
    // The files: base 16 + 4 = 20 MB, Q8_0 8 + 4 = 12 MB.
    const files = bestPairWithinBudget(runs, rows, { maxBytes: 11e6, basis: "fileSize" });
    expect(files.best).toBeNull();
    expect(files.reason).toContain("0.011 GB");
  });
});
