// Compare's "prebuilt binaries against the build for this machine", in a browser against the built
// `cwb serve`, with real benchmarks of a real variant of the reference model recorded by
// `cwb bench --compare-builds`: before any local-build run the screen says how to make one; after, it
// shows both runs' pp/tg speeds with their spread, the ratio and the noise verdict, exactly as the
// shared math computes them from the stored runs, and as the CLI printed them. Needs the llama.cpp
// build for this machine (`cwb llama build`).
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BuildMetricPair } from "../../src/shared/metrics/compareBuildMetrics.js";
import { compareBuildMetrics, isSpeedMetric } from "../../src/shared/metrics/compareBuildMetrics.js";
import { formatMetricWithSpread } from "../../src/shared/metrics/formatMetric.js";
import { verdictWords } from "../../src/shared/metrics/metricDifference.js";
import type { ExperimentSummary } from "../../src/shared/domain/experiment.js";
import type { LlamaBuildInfo } from "../../src/shared/domain/llamaBuild.js";
import { benchRunDevice } from "../../src/shared/domain/runDevice.js";
import { dataPaths } from "../../src/core/paths.js";
import { getRun } from "../../src/core/store/runs.js";
import { Store } from "../../src/core/store/Store.js";
import { remedyAsControl } from "../../src/renderer/errorWords.js";
import { runCwb } from "../cli/runCwb.js";
import { launchBrowser, openPage, saveScreenshot } from "../helpers/browser.js";
import { referenceBuildTimeoutMs, referenceModel } from "../helpers/referenceModel.js";
import { startServedApp, type ServedApp } from "../helpers/servedApp.js";

let dataDir: string;
let app: ServedApp;
let browser: Browser;
let page: Page;
let problems: string[];
let experiment: ExperimentSummary;

const cwb = (...args: string[]) => runCwb(["--data-dir", dataDir, ...args]);

const builds = await runCwb(["llama", "builds", "--json"]);
const hasMachineBuild = (JSON.parse(builds.stdout) as { builds: LlamaBuildInfo[] }).builds.some(
  (build) => build.isMachineBuild,
);

beforeAll(async () => {
  if (!hasMachineBuild) return;
  const reference = await referenceModel();
  dataDir = mkdtempSync(path.join(os.tmpdir(), "cwb-e2e-builds-"));
  const sweep = await cwb("--json", "sweep", reference.modelPath, "--types", "Q8_0");
  expect(sweep.code, sweep.stderr).toBe(0);
  experiment = JSON.parse(sweep.stdout) as ExperimentSummary;
  app = await startServedApp(dataDir);
  browser = await launchBrowser();
  ({ page, problems } = await openPage(browser, app.url));
}, referenceBuildTimeoutMs);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

async function openCompare(): Promise<void> {
  await page.evaluate((id) => (window.location.hash = `#/compare/${id}`), experiment.id);
  await page.reload();
  await page.getByRole("heading", { name: "Compare" }).waitFor();
}

describe.skipIf(!hasMachineBuild)("Compare: prebuilt binaries against the build for this machine", () => {
  it("says how to make a local-build run while there is none", async () => {
    await openCompare();
    const empty = page.getByTestId("build-comparison-empty");
    await empty.waitFor();
    expect(await empty.innerText()).toContain(remedyAsControl("build-llama-for-machine"));
  });

  it("shows both builds' speeds with their spread, the ratio and the noise verdict", async () => {
    const variant = experiment.rows.find((row) => row.label === "Q8_0")!;
    const bench = await cwb(
      "--json",
      "bench",
      variant.modelId,
      "--compare-builds",
      "--reps",
      "3",
      "--pp",
      "64",
      "--tg",
      "16",
      "--warm-loads",
      "0",
      "--no-bandwidth",
    );
    expect(bench.code, bench.stderr).toBe(0);
    const printed = JSON.parse(bench.stdout) as {
      prebuilt: { runId: string };
      local: { runId: string };
      rows: BuildMetricPair[];
    };

    // What the store holds: one run on each build, recorded as such.
    const store = Store.open(dataPaths(dataDir).database, { readonly: true });
    const [prebuiltRun, localRun] = [printed.prebuilt.runId, printed.local.runId].map((id) =>
      getRun(store.db, id)!,
    );
    store.close();
    expect(benchRunDevice(prebuiltRun!).backend?.buildType).toBe("prebuilt");
    expect(benchRunDevice(localRun!).backend?.buildType).toBe("localBuild");
    const expected = compareBuildMetrics(prebuiltRun!.metrics, localRun!.metrics, isSpeedMetric);
    expect(expected.map((pair) => pair.name).sort()).toEqual(["pp.64", "tg.16"]);

    await openCompare();
    const rows = page.locator('[data-testid="build-comparison-row"][data-label="Q8_0"]');
    await expect.poll(() => rows.count()).toBe(expected.length);
    for (const pair of expected) {
      const row = page.locator(`[data-testid="build-comparison-row"][data-metric="${pair.name}"]`);
      expect(await row.getByTestId("prebuilt-value").innerText()).toBe(formatMetricWithSpread(pair.prebuilt));
      expect(await row.getByTestId("local-value").innerText()).toBe(formatMetricWithSpread(pair.local));
      expect(pair.prebuilt.stddev).not.toBeNull();
      expect(await row.getByTestId("build-ratio").innerText()).toBe(`${pair.ratio!.toFixed(2)}×`);
      expect(await row.getAttribute("data-verdict")).toBe(pair.verdict);
      expect(await row.getByTestId("build-verdict").innerText()).toBe(verdictWords[pair.verdict]);
      // The CLI judged the same pair the same way.
      const cli = printed.rows.find((r) => r.name === pair.name)!;
      expect([cli.ratio, cli.verdict]).toEqual([pair.ratio, pair.verdict]);
    }
    await page.getByTestId("build-comparison").scrollIntoViewIfNeeded();
    await saveScreenshot(page, "compare-builds");
    expect(problems).toEqual([]);
  }, 600_000);
});
