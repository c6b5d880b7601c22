// History's Resume and Cancel in a browser, against the built `cwb serve` and real llama.cpp work on
// the reference model. A sweep started on Compress is interrupted by killing the server with SIGKILL
// mid-run; a new server on the same data folder shows the experiment interrupted, and Resume finishes
// it with only the steps that had not succeeded. Cancel on a running sweep ends its whole job graph.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ReferenceModelResult } from "../../src/shared/domain/referenceModel.js";
import { listExperimentJobRecords, type JobRecord } from "../../src/core/store/jobs.js";
import { runCwb } from "../cli/runCwb.js";
import { experimentIds as experimentIdsOf, readStore } from "../helpers/readDataDir.js";
import { launchBrowser, openPage, saveScreenshot } from "../helpers/browser.js";
import { referenceBuildTimeoutMs, referenceModel } from "../helpers/referenceModel.js";
import { startServedApp, type ServedApp } from "../helpers/servedApp.js";

let dataDir: string;
let app: ServedApp;
let browser: Browser;
let reference: ReferenceModelResult;

beforeAll(async () => {
  reference = await referenceModel();
  dataDir = mkdtempSync(path.join(os.tmpdir(), "cwb-e2e-history-"));
  const imported = await runCwb(["--data-dir", dataDir, "models", "import", reference.modelPath]);
  expect(imported.code, imported.stderr).toBe(0);
  browser = await launchBrowser();
}, referenceBuildTimeoutMs);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

const experimentIds = (): string[] => experimentIdsOf(dataDir);
const jobsOf = (experimentId: string): JobRecord[] =>
  readStore(dataDir, (s) => listExperimentJobRecords(s.db, experimentId));
const unfinished = (jobs: JobRecord[]) => jobs.filter((j) => j.state === "queued" || j.state === "running");

/** Starts a sweep of `types` on the Compress screen (quick evaluation and benchmarks); returns its id. */
async function startSweep(page: Page, types: string[], bench: boolean): Promise<string> {
  const before = experimentIds().length;
  await page.evaluate(() => (window.location.hash = "#/compress"));
  await page.getByRole("heading", { name: "Compress" }).waitFor();
  for (const type of types) await page.locator(`[data-testid="quant-type-row"][data-type="${type}"]`).click();
  await page.getByLabel("Evaluation text file", { exact: true }).fill(reference.evalText.path);
  await page.getByLabel("Evaluation context").fill("128");
  await page.getByLabel("Evaluation chunks").fill("2");
  if (bench) await page.getByLabel("Benchmark repetitions").fill("1");
  else await page.getByLabel("Benchmark speed and memory").uncheck();
  await page.getByTestId("start-sweep").click();
  await page.waitForURL(/#\/jobs$/);
  await expect.poll(() => experimentIds().length, { timeout: 30_000 }).toBe(before + 1);
  return experimentIds().at(-1)!;
}

/** Opens History on the experiment and waits until its list entry reads `state`. */
async function expectState(page: Page, experimentId: string, state: RegExp): Promise<void> {
  await page.evaluate((id) => (window.location.hash = `#/history/${id}`), experimentId);
  const entry = page
    .locator('[data-testid="experiment-item"][aria-current="true"]')
    .getByTestId("experiment-state");
  await expect.poll(() => entry.innerText(), { timeout: 600_000, interval: 1000 }).toMatch(state);
}

describe("History: Resume and Cancel", () => {
  it("resumes a sweep interrupted by a killed server: only the steps left run", async () => {
    app = await startServedApp(dataDir);
    const first = await openPage(browser, app.url);
    await first.page.locator('[data-testid="connection-status"][data-status="connected"]').waitFor();
    // Without benchmarks: they would only make it longer.
    const experimentId = await startSweep(first.page, ["Q8_0", "Q4_0"], false);

    // Killed outright once the second variant is being made: the first one is done.
    await expect
      .poll(() => jobsOf(experimentId).some((j) => j.stepKey === "quantize:Q4_0" && j.state === "running"), {
        timeout: 300_000,
        interval: 50,
      })
      .toBe(true);
    app.child.kill("SIGKILL");
    await app.stop();
    await first.page.context().close();
    const beforeResume = jobsOf(experimentId);
    const doneBefore = beforeResume.filter((j) => j.state === "succeeded").map((j) => j.stepKey!);
    expect(doneBefore).toContain("quantize:Q8_0");

    app = await startServedApp(dataDir);
    const { page, problems } = await openPage(browser, app.url);
    await expectState(page, experimentId, /^interrupted/);
    await saveScreenshot(page, "history-interrupted");
    await page.getByTestId("resume-experiment").click();
    await page.getByText(/^Resumed: \d+ steps? queued again/).waitFor();
    await expectState(page, experimentId, /^finished$/);

    const jobs = jobsOf(experimentId);
    expect(unfinished(jobs)).toEqual([]);
    const keys = [...new Set(jobs.map((j) => j.stepKey!))];
    // Every step succeeded exactly once, and the steps done before the kill were not run again.
    for (const key of keys)
      expect(
        jobs.filter((j) => j.stepKey === key && j.state === "succeeded"),
        key,
      ).toHaveLength(1);
    for (const key of doneBefore)
      expect(
        jobs.filter((j) => j.stepKey === key),
        key,
      ).toHaveLength(1);
    expect(keys.length).toBeGreaterThan(doneBefore.length);
    expect(experimentIds()).toEqual([experimentId]);
    expect(problems).toEqual([]);
    await page.context().close();
  }, 900_000);

  it("cancels a running sweep's whole job graph", async () => {
    const { page, problems } = await openPage(browser, app.url);
    await page.locator('[data-testid="connection-status"][data-status="connected"]').waitFor();
    // With benchmarks: long enough to be running when Cancel is clicked.
    const experimentId = await startSweep(page, ["Q6_K", "Q5_0"], true);
    await expectState(page, experimentId, /^running$/);
    await page.getByRole("button", { name: "Cancel", exact: true }).click();
    await page.getByText(/^Cancelled \d+ jobs?/).waitFor();
    await expectState(page, experimentId, /^cancelled/);
    const jobs = jobsOf(experimentId);
    expect(unfinished(jobs)).toEqual([]);
    expect(jobs.filter((j) => j.state === "cancelled").length).toBeGreaterThan(0);
    await saveScreenshot(page, "history-cancelled");
    expect(problems).toEqual([]);
  }, 300_000);
});
