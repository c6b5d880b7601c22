// End to end: side-by-side generation with a draft. The built `cwb serve`, a real Chromium, the quick
// reference model in an experiment; on Compare the model is selected, its side gets itself as the
// draft, and the generated text must show highlighted tokens, as many as the legend says were
// accepted and written, with the acceptance rate. Screen: test-results/screenshots/side-by-side-draft.png.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { importModel } from "../../src/core/library/importModel.js";
import { addExperimentModel, insertExperiment } from "../../src/core/store/experiments.js";
import { Store } from "../../src/core/store/Store.js";
import { launchBrowser, openPage, saveScreenshot } from "../helpers/browser.js";
import { referenceBuildTimeoutMs, referenceModelPath } from "../helpers/referenceModel.js";
import { startServedApp, type ServedApp } from "../helpers/servedApp.js";

let dir: string;
let app: ServedApp;
let browser: Browser;
let page: Page;
let problems: string[];
let experimentId: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "cwb-e2e-side-draft-"));
  const dataDir = path.join(dir, "data");
  const model = await referenceModelPath("quick");
  const store = Store.open(path.join(dataDir, "workbench.sqlite"));
  try {
    const id = (await importModel(store.db, model)).model.id;
    experimentId = insertExperiment(store.db, { name: "draft check", kind: "sweep", recipe: null }).id;
    addExperimentModel(store.db, experimentId, { modelId: id, label: "F16", position: 0 });
  } finally {
    store.close();
  }
  app = await startServedApp(dataDir);
  browser = await launchBrowser();
  ({ page, problems } = await openPage(browser, app.url, { width: 1440, height: 1000 }));
}, referenceBuildTimeoutMs);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("side-by-side generation with a draft", () => {
  it("highlights the accepted draft tokens, as many as the legend counts", async () => {
    await page.locator('[data-testid="connection-status"][data-status="connected"]').waitFor();
    await page.evaluate((hash) => (window.location.hash = hash), `#/compare/${experimentId}`);
    await page.locator('[data-testid="compare-row"][data-label="F16"]').click();
    await page.getByLabel("Max tokens").fill("24");
    await page.getByLabel("Draft for F16").selectOption({ label: "draft: F16 (itself)" });
    await page.getByRole("button", { name: "Generate with 1 selected" }).click();
    await page.getByTestId("generations").waitFor({ timeout: 120_000 });
    const legend = await page.getByTestId("prediction-legend").innerText();
    const match = /highlighted: (\d+) tokens? the draft \(F16\) predicted and the target accepted/.exec(
      legend,
    );
    expect(match, legend).not.toBeNull();
    const written = Number(match![1]);
    expect(written).toBeGreaterThan(0);
    expect(await page.getByTestId("accepted-token").count()).toBe(written);
    expect(await page.getByTestId("acceptance-rate").innerText()).toMatch(/^\d+\.\d %$/);
    await saveScreenshot(page, "side-by-side-draft");
    expect(problems).toEqual([]);
  }, 180_000);
});
