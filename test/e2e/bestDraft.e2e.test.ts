// Speculative decoding on Compare, against the built `cwb serve` and a real sweep on the quick
// reference model (Q8_0 and Q4_0, each as a draft of the base): the best-draft table lists both drafts
// with their speedups, the chart plots both, and the pair budget query answers a pair when the budget
// holds one and says why not when it holds none.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { runCwb } from "../cli/runCwb.js";
import { launchBrowser, openPage, saveScreenshot } from "../helpers/browser.js";
import { referenceBuildTimeoutMs, referenceModel } from "../helpers/referenceModel.js";
import { startServedApp, type ServedApp } from "../helpers/servedApp.js";
import { speculativeSweepArgs } from "../helpers/speculativeSweep.js";

let dataDir: string;
let app: ServedApp;
let browser: Browser;
let experimentId: string;

beforeAll(async () => {
  const reference = await referenceModel("quick");
  dataDir = mkdtempSync(path.join(os.tmpdir(), "cwb-e2e-best-draft-"));
  const swept = await runCwb([
    "--data-dir",
    dataDir,
    "--json",
    ...speculativeSweepArgs(dataDir, reference.modelPath),
  ]);
  expect(swept.code, swept.stderr).toBe(0);
  experimentId = (JSON.parse(swept.stdout) as { id: string }).id;
  browser = await launchBrowser();
  app = await startServedApp(dataDir);
}, referenceBuildTimeoutMs);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

it("shows the base's drafts ranked, their speedup chart, and the best pair within a budget", async () => {
  const { page, problems } = await openPage(browser, app.url);
  await page.locator('[data-testid="connection-status"][data-status="connected"]').waitFor();
  await page.evaluate((id) => (window.location.hash = `#/compare/${id}`), experimentId);
  const table = page.getByTestId("best-draft-table");
  await table.waitFor();
  const drafts = await page
    .getByTestId("best-draft-row")
    .evaluateAll((rows) => rows.map((row) => row.getAttribute("data-draft")));
  expect(drafts.sort()).toEqual(["Q4_0", "Q8_0"]);
  // One repetition gives no spread: nothing is ranked apart.
  const ranks = await page
    .getByTestId("best-draft-row")
    .evaluateAll((rows) => rows.map((row) => row.getAttribute("data-rank")));
  expect(ranks).toEqual(["1", "1"]);
  expect(await table.innerText()).toMatch(/\d\.\d\d x/);
  expect(await page.getByTestId("speedup-chart").getAttribute("data-points")).toBe("2");
  expect(await page.getByRole("img", { name: /Speedup against draft size: .*Q8_0/ }).count()).toBe(1);

  // Every pair of an 11 MB base and a few-MB draft fits in 1 GB; none fits in 1 MB.
  await page.getByLabel("Pair memory limit in GB").fill("1");
  const answer = page.getByTestId("pair-answer");
  await expect.poll(() => answer.getAttribute("data-best")).toMatch(/^base\+Q(8|4)_0$/);
  expect(await answer.innerText()).toMatch(/fastest of 2 pairs that fit/);
  await page.getByLabel("Pair memory limit in GB").fill("0.001");
  await expect.poll(() => answer.getAttribute("data-best")).toBe("");
  expect(await answer.innerText()).toContain("No target+draft pair fits");
  await saveScreenshot(page, "compare-best-draft");
  expect(problems).toEqual([]);
}, 120_000);
