// Prune → heal → quantize from the UI, against the built `cwb serve` and real llama.cpp work on the
// quick reference model: Compress is filled with a Prune step (the least important block), a
// Distill step (a tiny budget, its time estimate shown), two quant types and an evaluation; the
// sweep runs to the end, Compare's healing panel shows, at each quant level, the healed variant's
// KLD below the unhealed pruned one's with the verdict, and History shows the chain's steps done.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { ReferenceModelResult } from "../../src/shared/domain/referenceModel.js";
import { stateOfExperiment } from "../../src/core/experiments/experimentGraph.js";
import { runCwb } from "../cli/runCwb.js";
import { experimentIds, readStore } from "../helpers/readDataDir.js";
import { launchBrowser, openPage, saveScreenshot } from "../helpers/browser.js";
import { referenceBuildTimeoutMs, referenceModel } from "../helpers/referenceModel.js";
import { startServedApp, type ServedApp } from "../helpers/servedApp.js";

let dataDir: string;
let app: ServedApp;
let browser: Browser;
let reference: ReferenceModelResult;

beforeAll(async () => {
  reference = await referenceModel("quick");
  dataDir = mkdtempSync(path.join(os.tmpdir(), "cwb-e2e-healing-"));
  const imported = await runCwb(["--data-dir", dataDir, "models", "import", reference.modelPath]);
  expect(imported.code, imported.stderr).toBe(0);
  browser = await launchBrowser();
  app = await startServedApp(dataDir);
}, referenceBuildTimeoutMs);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/** Parses "0.0306 ± 0.0009". */
function figure(text: string): number {
  const value = Number(text.split("±")[0]!.trim());
  expect(Number.isFinite(value), text).toBe(true);
  return value;
}

it("prunes, heals and quantizes from Compress; Compare shows healing beat pruning at every quant level", async () => {
  const { page, problems } = await openPage(browser, app.url);
  await page.locator('[data-testid="connection-status"][data-status="connected"]').waitFor();
  await page.evaluate(() => (window.location.hash = "#/compress"));
  await page.getByRole("heading", { name: "Compress" }).waitFor();
  for (const type of ["Q8_0", "Q6_K"])
    await page.locator(`[data-testid="quant-type-row"][data-type="${type}"]`).click();
  await page.getByLabel("Evaluation text file", { exact: true }).fill(reference.evalText.path);
  await page.getByLabel("Evaluation context").fill("128");
  await page.getByLabel("Evaluation chunks").fill("16");
  await page.getByLabel("Benchmark speed and memory").uncheck();

  await page.getByLabel("Prune step").selectOption("drop");
  await page.getByLabel("Blocks to drop", { exact: true }).fill("1");
  await page.getByLabel("Prune and distill text file").fill(reference.calibrationText.path);
  await page.getByLabel("Heal the pruned model by distillation from the base").check();
  await page.getByLabel("Distill tokens").fill("2048");
  // No distillation has run in this data folder: the estimate says it uses the default rate.
  await expect.poll(() => page.getByTestId("distill-estimate").innerText()).toMatch(/default rate/);
  await saveScreenshot(page, "compress-chain");

  await page.getByTestId("start-sweep").click();
  await page.waitForURL(/#\/jobs$/);
  await expect.poll(() => experimentIds(dataDir).length, { timeout: 30_000 }).toBe(1);
  const experimentId = experimentIds(dataDir)[0]!;
  await expect
    .poll(() => readStore(dataDir, (s) => stateOfExperiment(s.db, experimentId)), {
      timeout: 600_000,
      interval: 1000,
    })
    .toBe("succeeded");

  await page.evaluate((id) => (window.location.hash = `#/compare/${id}`), experimentId);
  const panel = page.getByTestId("healing-panel");
  await panel.waitFor();
  for (const type of ["Q8_0", "Q6_K"]) {
    const level = panel.locator(`[data-testid="healing-level"][data-quant="${type}"]`);
    const cells = await level.locator("td").allInnerTexts();
    // Quant level, KLD original, KLD pruned, KLD healed, KLD verdict, ...
    const pruned = figure(cells[2]!);
    const healed = figure(cells[3]!);
    expect(healed, type).toBeLessThan(pruned);
    expect(cells[4], type).toBe("healed lower, beyond noise");
  }
  await saveScreenshot(page, "compare-healing");

  await page.evaluate((id) => (window.location.hash = `#/history/${id}`), experimentId);
  const chain = page.getByTestId("chain-lineage");
  await chain.waitFor();
  const items = await chain.getByTestId("chain-item").allInnerTexts();
  for (const label of ["pruned-1", "healed", "Q8_0 · pruned-1", "Q6_K · healed"])
    expect(
      items.some((text) => text.startsWith(label) && /succeeded/.test(text)),
      label,
    ).toBe(true);
  // The healed model's lineage is shown once, in the chain, not once per variant.
  await expect
    .poll(() => page.getByTestId("lineage-chain").getAttribute("data-steps"), { timeout: 30_000 })
    .toBe("original pruned distilled");
  expect(await page.getByTestId("lineage-chain").count()).toBe(1);
  expect(await page.getByTestId("variant-lineages").count()).toBe(0);
  expect(problems).toEqual([]);
  await page.context().close();
}, 600_000);
