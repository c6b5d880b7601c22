// The report tables and the Compare table read one column list: the text tables keep the Pareto
// column, the screen keeps the tail latencies, and the csv headers spreadsheets rely on stay put.
import { describe, expect, it } from "vitest";
import type { ExperimentRow, ExperimentSummary } from "../../src/shared/domain/experiment.js";
import { compareColumns, reportColumns } from "../../src/shared/metrics/experimentColumns.js";
import { renderCsv, renderMarkdown } from "../../src/core/report/renderTableReports.js";
import { summaryOf } from "../helpers/experimentRows.js";

const row: ExperimentRow = {
  modelId: "m-Q2_K",
  stage: "original",
  label: "Q2_K",
  quantType: "Q2_K",
  isBase: false,
  usesImatrix: false,
  path: "/models/Q2_K.gguf",
  sizeBytes: 4.4e9,
  bitsPerWeight: 2.6,
  loadColdMs: 1234.5,
  loadWarmMs: 200,
  ppShortTokensPerSecond: 1234.56,
  ppLongTokensPerSecond: 456.7,
  tgTokensPerSecond: 7,
  appTgTokensPerSecond: null,
  ttftP50Ms: 123.4,
  ttftP95Ms: 200,
  itlP99Ms: 8.456,
  peakRssBytes: null,
  ppl: 6.12345,
  pplUncertainty: 0.04321,
  kldUncertainty: null,
  pplRatio: 1.01234,
  kldMean: 0.015,
  kldP99: 0.2,
  sameTopPercent: 91.234,
  spread: { tgTokensPerSecond: { stddev: 0.5, samples: 3 } },
  noise: ["other processes used 1.02 CPU cores meanwhile"],
  devices: { bench: null, eval: null },
  front: { sizeVsKld: true, speedVsKld: false, memoryVsKld: true },
};

// The row keeps its hand-set fronts (the markdown and csv expectations spell them out).
const summary: ExperimentSummary = { ...summaryOf([], "demo"), rows: [row] };

describe("experiment columns", () => {
  it("differ between the views only where one view has no room or shows it another way", () => {
    const keys = (columns: typeof reportColumns) => columns.map((c) => c.key);
    expect(keys(reportColumns).filter((k) => k !== "front")).toEqual(
      keys(compareColumns).filter((k) => k !== "appTg" && k !== "ttftP95" && k !== "itlP99"),
    );
  });

  it("give the Compare table its labels with the units shown under them", () => {
    expect(compareColumns.map((c) => `${c.label} [${c.shownUnit}]`)).toEqual([
      "Variant []",
      "Size [MB/GB]",
      "Bits/weight [bpw]",
      "Generation [tok/s]",
      "App generation [tok/s]",
      "Prompt (short) [tok/s]",
      "Prompt (long) [tok/s]",
      "TTFT p50 [ms]",
      "TTFT p95 [ms]",
      "ITL p99 [ms]",
      "Load (cold) [ms]",
      "Peak memory [MB/GB]",
      "PPL []",
      "PPL ratio [× base]",
      "KLD mean [nats]",
      "KLD p99 [nats]",
      "Same top token [%]",
    ]);
  });

  it("give the markdown table its labels and formatted values", () => {
    const lines = renderMarkdown(summary).split("\n");
    expect(lines).toContain(
      "| Variant | Size | Bits/weight | Generation | Prompt (short) | Prompt (long) | TTFT p50 | Load (cold) | Peak memory | PPL | PPL ratio | KLD mean | KLD p99 | Same top token | Pareto front |",
    );
    expect(lines).toContain(
      "| Q2_K (noisy) | 4.4 GB | 2.60 bpw | 7.0 ± 0.5 tok/s | 1,234.6 tok/s | 456.7 tok/s | 123 ms | 1,235 ms | — | 6.123 ± 0.043 | 1.0123 | 0.0150 | 0.2000 | 91.2 % | size, memory |",
    );
  });

  it("say under the markdown table which benchmarks were disturbed and how differences are judged", () => {
    const lines = renderMarkdown(summary).split("\n");
    expect(lines).toContain("- Q2_K: benchmark disturbed (other processes used 1.02 CPU cores meanwhile)");
    expect(lines.some((line) => line.includes("Welch's t-test"))).toBe(true);
  });

  it("give the csv its keys with raw units and raw values", () => {
    const [header, values] = renderCsv(summary).split("\n");
    expect(header).toBe(
      "model_id,label,size (B),bpw (bpw),tg (tok/s),ppShort (tok/s),ppLong (tok/s),ttftP50 (ms),loadCold (ms),peakRss (B),ppl,pplRatio,kldMean (nat),kldP99 (nat),sameTop (%),front,tg_stddev (tok/s),ppShort_stddev (tok/s),ppLong_stddev (tok/s),peakRss_stddev (B),noise",
    );
    expect(values).toBe(
      'm-Q2_K,Q2_K,4400000000,2.6,7,1234.56,456.7,123.4,1234.5,,6.12345,1.01234,0.015,0.2,91.234,"size, memory",0.5,,,,other processes used 1.02 CPU cores meanwhile',
    );
  });
});

describe("the healing table", () => {
  const chainRow = (label: string, stage: ExperimentRow["stage"], kld: number): ExperimentRow => ({
    ...row,
    modelId: `m-${label}`,
    label,
    stage,
    kldMean: kld,
    kldUncertainty: 0.0005,
  });

  it("follows the main table in Markdown when the experiment has a healed chain, and only then", () => {
    expect(renderMarkdown(summary)).not.toContain("What healing bought");
    const chained = {
      ...summary,
      rows: [row, chainRow("Q2_K · pruned-1", "pruned", 0.31), chainRow("Q2_K · healed", "healed", 0.12)],
    };
    const markdown = renderMarkdown(chained);
    expect(markdown).toContain("## What healing bought");
    expect(markdown).toContain("| Q2_K | ");
    expect(markdown).toContain("0.3100 ± 0.0010 | 0.1200 ± 0.0010 | healed lower, beyond noise |");
  });
});
