// A real sweep on the reference model, through the real CLI: quantize to two types, evaluate both
// against the base and benchmark everything, then a re-run that must reuse every finished result,
// a re-run after a benchmark method change, and the reports in every format. The benchmarks run
// last, in two interleaved rounds (A B C, then C B A), pooled into one figure with its spread.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ExperimentSummary } from "../../src/shared/domain/experiment.js";
import { buildNode, runCwb } from "../cli/runCwb.js";
import { Store } from "../../src/core/store/Store.js";
import { dataPaths } from "../../src/core/paths.js";
import { listRuns } from "../../src/core/store/runs.js";
import { listExperimentJobRecords } from "../../src/core/store/jobs.js";
import { referenceModel, referenceBuildTimeoutMs } from "../helpers/referenceModel.js";

let dataDir: string;
let first: ExperimentSummary;
let firstStderr: string;

const sweepArgs = (model: string, evalText: string) => [
  "sweep",
  model,
  "--types",
  "Q8_0,Q2_K",
  "--eval-text",
  evalText,
  "--eval-ctx",
  "128",
  "--eval-chunks",
  "4",
  "--bench",
  "--bench-reps",
  "1",
  "--bench-rounds",
  "2",
  "--threads",
  "2",
];

beforeAll(async () => {
  const ref = await referenceModel();
  buildNode();
  dataDir = mkdtempSync(path.join(os.tmpdir(), "cwb-sweep-"));
  const run = await runCwb([
    "--data-dir",
    dataDir,
    "--json",
    "--progress",
    ...sweepArgs(ref.modelPath, ref.evalText.path),
  ]);
  firstStderr = run.stderr;
  expect(run.code, run.stderr).toBe(0);
  first = JSON.parse(run.stdout) as ExperimentSummary;
}, referenceBuildTimeoutMs);

/** The same sweep in the same data folder, as a user re-running it would. */
async function sweepAgain() {
  const ref = await referenceModel();
  return runCwb(["--data-dir", dataDir, "--json", ...sweepArgs(ref.modelPath, ref.evalText.path)]);
}

afterAll(() => {
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe("cwb sweep", () => {
  it("makes one variant per type next to the base, each measured", () => {
    expect(first.rows.map((r) => r.label)).toEqual(["base", "Q8_0", "Q2_K"]);
    const [base, q8, q2] = first.rows;
    // Smaller types make smaller files; the reference model's F16 base is the largest.
    expect(base!.sizeBytes).toBeGreaterThan(q8!.sizeBytes);
    expect(q8!.sizeBytes).toBeGreaterThan(q2!.sizeBytes);
    for (const row of first.rows) {
      expect(row.tgTokensPerSecond).toBeGreaterThan(0);
      expect(row.appTgTokensPerSecond).toBeGreaterThan(0);
      expect(row.ppShortTokensPerSecond).toBeGreaterThan(0);
      expect(row.peakRssBytes).toBeGreaterThan(row.sizeBytes);
      expect(row.ppl).toBeGreaterThan(1);
    }
    // Quality falls with the bits: Q2_K diverges from the base far more than Q8_0 does.
    expect(q8!.kldMean).toBeGreaterThan(0);
    expect(q2!.kldMean).toBeGreaterThan(q8!.kldMean! * 5);
    expect(q8!.sameTopPercent).toBeGreaterThan(q2!.sameTopPercent!);
    expect(base!.front.sizeVsKld).toBe(true);
    expect(q2!.front.sizeVsKld).toBe(true);
  });

  it("benchmarks last, one model at a time, in rounds of alternating order, pooled with their spread", () => {
    const store = Store.open(dataPaths(dataDir).database, { readonly: true });
    try {
      const jobs = listExperimentJobRecords(store.db, first.id)
        .filter((j) => j.state === "succeeded")
        .sort((a, b) => a.startedAt!.localeCompare(b.startedAt!));
      const benches = jobs.filter((j) => j.kind === "bench").map((j) => j.stepKey);
      expect(benches).toEqual([
        "bench:base",
        "bench:Q8_0",
        "bench:Q2_K",
        "bench:Q2_K#2",
        "bench:Q8_0#2",
        "bench:base#2",
      ]);
      // Nothing else ran once the first benchmark had started.
      const firstBench = jobs.findIndex((j) => j.kind === "bench");
      expect(jobs.slice(firstBench).every((j) => j.kind === "bench")).toBe(true);
    } finally {
      store.close();
    }
    // One rep per round, two rounds: every speed and the peak memory are means of two, with a spread.
    for (const row of first.rows) {
      expect(row.spread?.tgTokensPerSecond?.samples).toBe(2);
      expect(row.spread?.peakRssBytes?.samples).toBe(2);
    }
  });

  it("shows progress of its jobs on stderr", () => {
    expect(firstStderr).toMatch(/\[\d+\/\d+ done\] Quantize/);
    expect(firstStderr).toMatch(/Evaluate quality/);
    expect(firstStderr).toMatch(/Benchmark speed and memory/);
  });

  it("reuses every finished result when run again", async () => {
    const run = await sweepAgain();
    expect(run.code, run.stderr).toBe(0);
    const again = JSON.parse(run.stdout) as ExperimentSummary;
    expect(again.id).not.toBe(first.id);
    // 2 variants, their 2 evaluations and 3 benchmarks (base included): nothing is redone.
    expect(run.stderr).toMatch(/7 result\(s\) reused/);
    expect(again.rows.map((r) => [r.label, r.modelId, r.kldMean, r.tgTokensPerSecond])).toEqual(
      first.rows.map((r) => [r.label, r.modelId, r.kldMean, r.tgTokensPerSecond]),
    );
    const jobs = await runCwb(["--data-dir", dataDir, "--json", "jobs", "list"]);
    const forSecond = (JSON.parse(jobs.stdout) as { experimentId: string | null }[]).filter(
      (j) => j.experimentId === again.id,
    );
    expect(forSecond).toEqual([]);
  });

  it("measures again a benchmark recorded with an older speed method, keeping the old run", async () => {
    const q8 = first.rows.find((r) => r.label === "Q8_0")!;
    const store = Store.open(dataPaths(dataDir).database);
    try {
      // Runs recorded before the method existed have no "method" in their settings.
      const changed = store.db
        .prepare(
          "UPDATE runs SET settings_json = json_remove(settings_json, '$.method') WHERE kind = 'bench' AND model_id = ?",
        )
        .run(q8.modelId).changes;
      expect(changed).toBe(2); // both rounds
    } finally {
      store.close();
    }
    const run = await sweepAgain();
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/6 result\(s\) reused/);
    const after = Store.open(dataPaths(dataDir).database, { readonly: true });
    try {
      expect(listRuns(after.db, { modelId: q8.modelId, kind: "bench" })).toHaveLength(4);
    } finally {
      after.close();
    }
  }, 300_000); // two benchmark rounds of a model on a busy machine

  it("writes md, csv, json and a self-contained html report", async () => {
    const out = path.join(dataDir, "report");
    for (const format of ["md", "csv", "json", "html"]) {
      const run = await runCwb([
        "--data-dir",
        dataDir,
        "report",
        first.id.slice(0, 8),
        "--format",
        format,
        "--out",
        `${out}.${format}`,
      ]);
      expect(run.code, run.stderr).toBe(0);
    }
    const md = readFileSync(`${out}.md`, "utf8");
    expect(md).toMatch(/\| Variant \| Size \|/);
    expect(md).toMatch(/\| Q2_K( \(noisy\))? \|/); // noisy when the machine was busy meanwhile
    expect(md).toMatch(/Welch/);
    const csv = readFileSync(`${out}.csv`, "utf8").trim().split("\n");
    expect(csv).toHaveLength(4);
    expect(csv[0]).toContain("kldMean (nat)");
    expect((JSON.parse(readFileSync(`${out}.json`, "utf8")) as ExperimentSummary).rows).toHaveLength(3);
    const html = readFileSync(`${out}.html`, "utf8");
    expect(html).toContain("echarts");
    expect(html).toContain('id="pareto-size"');
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=/); // nothing fetched from anywhere
  });

  it("refuses an unknown experiment and an unknown format, naming them", async () => {
    const missing = await runCwb(["--data-dir", dataDir, "report", "ffffffff"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no experiment matches "ffffffff"/);
    const badFormat = await runCwb(["--data-dir", dataDir, "report", first.id, "--format", "pdf"]);
    expect(badFormat.code).toBe(1);
    expect(badFormat.stderr).toMatch(/"pdf" is not one of/);
  });
});
