// Compress's "Find the best mix for a budget" in a browser against the built `cwb serve`, with the
// real sensitivity job on the quick reference model: the cost estimate before starting, the heat map
// filled from measured cells, and a chosen mix that fits the size budget set on the slider.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ExperimentSummary } from "../../src/shared/domain/experiment.js";
import type { ReferenceModelResult } from "../../src/shared/domain/referenceModel.js";
import { runCwb } from "../cli/runCwb.js";
import { launchBrowser, openPage, saveScreenshot } from "../helpers/browser.js";
import { referenceBuildTimeoutMs, referenceModel } from "../helpers/referenceModel.js";
import { startServedApp, type ServedApp } from "../helpers/servedApp.js";

let dataDir: string;
let app: ServedApp;
let browser: Browser;
let page: Page;
let problems: string[];
let ref: ReferenceModelResult;
let experimentId: string;

beforeAll(async () => {
  ref = await referenceModel("quick");
  dataDir = mkdtempSync(path.join(os.tmpdir(), "cwb-e2e-search-"));
  const imported = await runCwb(["--data-dir", dataDir, "models", "import", ref.modelPath]);
  expect(imported.code, imported.stderr).toBe(0);
  // A one-type sweep evaluated on the held-out text: Compare's stock point next to the searched mix.
  const sweep = await runCwb([
    "--data-dir",
    dataDir,
    "--json",
    "sweep",
    ref.modelPath,
    "--types",
    "Q4_K",
    "--eval-text",
    ref.evalText.path,
    "--eval-ctx",
    "512",
    "--eval-chunks",
    "2",
  ]);
  expect(sweep.code, sweep.stderr).toBe(0);
  experimentId = (JSON.parse(sweep.stdout) as ExperimentSummary).id;
  app = await startServedApp(dataDir);
  browser = await launchBrowser();
  ({ page, problems } = await openPage(browser, app.url, { width: 1440, height: 1000 }));
}, referenceBuildTimeoutMs);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe("Compress: find the best mix for a budget", () => {
  it("estimates, measures, draws the heat map and picks a mix within the budget", async () => {
    await page.evaluate(() => (window.location.hash = "compress"));
    const panel = page.getByTestId("search-panel");
    await panel.getByLabel("Search text file").fill(ref.calibrationText.path);
    await panel.getByLabel("Search context").fill("128");
    await panel.getByLabel("Search chunks").fill("2");
    for (const type of ["Q3_K", "Q5_K"]) await panel.getByLabel(type, { exact: true }).uncheck();

    const estimate = panel.getByTestId("search-estimate");
    await expect
      .poll(() => estimate.innerText(), { timeout: 30_000 })
      .toMatch(
        /groups × 2 types \+ baseline → \d+ passes, 0 cached, \d+ to measure plus a base pass, about /,
      );

    await panel.getByTestId("start-search").click();
    const heatmap = panel.getByTestId("sensitivity-heatmap");
    await heatmap.waitFor({ timeout: 120_000 });
    await expect.poll(() => estimate.innerText(), { timeout: 180_000 }).toMatch(/, 0 to measure/);
    const groups = Number(/^(\d+) groups/.exec(await estimate.innerText())![1]);
    await expect
      .poll(async () => Number(await heatmap.getAttribute("data-cells")), {
        message: await panel.innerText(),
      })
      .toBe(groups);

    // A budget between all-Q4_K and all-Q8_0, so the mix must trade groups off.
    const slider = panel.getByLabel("Size budget");
    const [min, max] = [Number(await slider.getAttribute("min")), Number(await slider.getAttribute("max"))];
    await slider.fill(String(Math.round(min + 0.4 * (max - min))));
    const mix = panel.getByTestId("search-mix");
    // The mix for the whole range shows first; wait for the one for the budget just set.
    await expect
      .poll(async () => Number(await mix.getAttribute("data-budget")), { timeout: 30_000 })
      .toBeLessThan(max);
    const budget = Number(await mix.getAttribute("data-budget"));
    expect(budget).toBeGreaterThan(min);
    expect(Number(await mix.getAttribute("data-bytes"))).toBeLessThanOrEqual(budget);
    const text = await mix.innerText();
    expect(text).toMatch(/\d+ × Q4_K/);
    expect(text).toMatch(/llama-quantize .*--tensor-type/);
    await panel.scrollIntoViewIfNeeded();
    await saveScreenshot(page, "search-mix");
    expect(problems).toEqual([]);
  }, 240_000);

  it("quantizes and validates the chosen mix on held-out text, then shows it on Compare", async () => {
    const panel = page.getByTestId("search-panel");
    const predicted = Number(await panel.getByTestId("search-mix").getAttribute("data-bytes"));
    const validation = panel.getByTestId("search-validation");
    await validation.getByLabel("Held-out text file").fill(ref.evalText.path);
    await validation.getByLabel("Held-out chunks").fill("2");
    await validation.getByTestId("validate-mix").click();
    const validated = validation.getByTestId("search-validated");
    await validated.waitFor({ timeout: 60_000 });
    // The file written is the size predicted, to the byte; the KLD is measured with its interval.
    expect(Number(await validated.getAttribute("data-size"))).toBe(predicted);
    expect(await validated.innerText()).toMatch(
      /held-out KLD \d\.\d{5} ± \d\.\d{5} \(95 %\), predicted \d\.\d{5} · PPL \d+\.\d{3} ± /,
    );
    const modelId = (await validated.getAttribute("data-model"))!;
    await validation.scrollIntoViewIfNeeded();
    await saveScreenshot(page, "search-validated");

    await page.evaluate((id) => (window.location.hash = `#/compare/${id}`), experimentId);
    await page.reload();
    const row = page.locator(`[data-testid="compare-row"][data-model-id="${modelId}"]`);
    await row.waitFor({ timeout: 30_000 });
    expect(await row.getAttribute("data-searched")).toBe("true");
    expect(await row.innerText()).toMatch(/searched/i);
    const chart = page.getByTestId("pareto-sizeVsKld");
    expect(await chart.getAttribute("data-searched")).toBe("1");
    // Base, Q4_K and the mix all have a size and a KLD.
    expect(Number(await chart.getAttribute("data-points"))).toBe(3);
    await saveScreenshot(page, "search-compare");
    expect(problems).toEqual([]);
  }, 120_000);
});
