// A sweep that names a speculative target, through the real CLI on the quick reference model: the
// base decoded with each of its two variants as the draft (two 'speculate' runs in the history, each
// naming its draft and the prompts' hash) shown as the base's best-draft table, then the same sweep
// again, which must reuse both runs.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ExperimentSummary } from "../../src/shared/domain/experiment.js";
import { buildNode, runCwb } from "../cli/runCwb.js";
import { Store } from "../../src/core/store/Store.js";
import { listRuns } from "../../src/core/store/runs.js";
import { referenceModel, referenceBuildTimeoutMs } from "../helpers/referenceModel.js";
import { speculativeSweepArgs } from "../helpers/speculativeSweep.js";

let dataDir: string;
let modelPath: string;
let first: ExperimentSummary;

const sweep = () => runCwb(["--data-dir", dataDir, "--json", ...speculativeSweepArgs(dataDir, modelPath)]);

function speculateRuns() {
  const store = Store.open(path.join(dataDir, "workbench.sqlite"));
  try {
    return listRuns(store.db, { kind: "speculate" });
  } finally {
    store.close();
  }
}

beforeAll(async () => {
  modelPath = (await referenceModel("quick")).modelPath;
  buildNode();
  dataDir = mkdtempSync(path.join(os.tmpdir(), "cwb-sweep-spec-"));
  const run = await sweep();
  expect(run.code, run.stderr).toBe(0);
  first = JSON.parse(run.stdout) as ExperimentSummary;
}, referenceBuildTimeoutMs);

afterAll(() => {
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe("cwb sweep --spec-target", () => {
  it("records one speculative run of the base per variant as its draft", () => {
    const runs = speculateRuns();
    expect(runs).toHaveLength(2);
    const base = first.rows.find((r) => r.isBase)!;
    const variants = first.rows.filter((r) => !r.isBase);
    expect(variants.map((r) => r.label)).toEqual(["Q8_0", "Q4_0"]);
    for (const run of runs) expect(run.modelId).toBe(base.modelId);
    expect(runs.map((r) => (r.settings as { draftModelId: string }).draftModelId).sort()).toEqual(
      variants.map((r) => r.modelId).sort(),
    );
    for (const run of runs) {
      expect(run.settings).toMatchObject({ maxTokens: 8, draftMax: 4, reps: 1 });
      expect((run.settings as { promptsSha256: string }).promptsSha256).toMatch(/^[0-9a-f]{64}$/);
      expect(run.metrics.find((m) => m.name === "drafted")?.value).toBeGreaterThan(0);
    }
  });

  it("shows the base's best-draft table in the summary and the Markdown and HTML reports", async () => {
    expect(first.speculation?.map((r) => r.draftLabel).sort()).toEqual(["Q4_0", "Q8_0"]);
    for (const row of first.speculation!) {
      expect(row.targetLabel).toBe("base");
      expect(row.speedup.mean).toBeGreaterThan(0);
      expect(row.combinedMemoryBytes).toBeGreaterThan(row.draftSizeBytes);
    }
    const report = await runCwb(["--data-dir", dataDir, "report", first.id, "--format", "md"]);
    expect(report.code, report.stderr).toBe(0);
    const section = report.stdout.slice(report.stdout.indexOf("## Best draft for base"));
    expect(section).toContain("| Rank | Draft |");
    expect(section).toMatch(/\| Q8_0 \|/);
    expect(section).toMatch(/\| Q4_0 \|/);
    const html = await runCwb(["--data-dir", dataDir, "report", first.id, "--format", "html"]);
    expect(html.stdout).toContain("<h2>Best draft for base</h2>");
    expect(html.stdout.match(/<table class="best-draft">[\s\S]*?<\/table>/)?.[0]).toContain("Q4_0");
  });

  it("reuses both runs when the same sweep runs again", async () => {
    const again = await sweep();
    expect(again.code, again.stderr).toBe(0);
    expect(speculateRuns()).toHaveLength(2);
    expect(again.stderr).toContain("result(s) reused");
  }, 120_000);
});
