// End to end on the Export screen: the built `cwb serve`, a real Chromium, the reference model and a
// Q8_0 variant made with the CLI. In the UI: pick a phone profile, see each variant's predicted fit and
// generation range, export the variant as a folder, see where it went, verify it; then run the bundle's
// bench-on-device.sh here with llama.cpp's llama-bench (short workload), drop its JSON on the screen
// for that phone and see the rows recorded, matched by hash. Screens go to
// test-results/screenshots/export-<step>.png.
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exportManifest } from "../../src/shared/domain/exportManifest.js";
import type { ReferenceModelResult } from "../../src/shared/domain/referenceModel.js";
import { runCwb } from "../cli/runCwb.js";
import { runBundleBenchScript } from "../deviceResults/llamaBenchOutput.js";
import { launchBrowser, openPage, saveScreenshot } from "../helpers/browser.js";
import { referenceBuildTimeoutMs, referenceModel } from "../helpers/referenceModel.js";
import { startServedApp, type ServedApp } from "../helpers/servedApp.js";

let dataDir: string;
let work: string;
let app: ServedApp;
let browser: Browser;
let page: Page;
let problems: string[];
let reference: ReferenceModelResult;

beforeAll(async () => {
  reference = await referenceModel();
  dataDir = mkdtempSync(path.join(os.tmpdir(), "cwb-e2e-export-"));
  work = mkdtempSync(path.join(os.tmpdir(), "cwb-e2e-export-out-"));
  const quantized = await runCwb(["--data-dir", dataDir, "quantize", reference.modelPath, "--type", "Q8_0"]);
  expect(quantized.code, quantized.stderr).toBe(0);
  app = await startServedApp(dataDir);
  browser = await launchBrowser();
  ({ page, problems } = await openPage(browser, app.url, { width: 1440, height: 1100 }));
}, referenceBuildTimeoutMs);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  for (const dir of [dataDir, work]) if (dir) rmSync(dir, { recursive: true, force: true });
});

async function shot(name: string): Promise<void> {
  await saveScreenshot(page, `export-${name}`);
}

const bundle = () => path.join(work, "for-pixel-8");

describe("Export screen", () => {
  it("shows every variant's predicted fit and generation range on a phone profile", async () => {
    await page.locator('[data-testid="connection-status"][data-status="connected"]').waitFor();
    await page.evaluate(() => (window.location.hash = "#/export"));
    await page.getByLabel("Device", { exact: true }).selectOption("pixel-8");
    const rows = page.getByTestId("export-prediction-row");
    await expect.poll(() => rows.count(), { timeout: 30_000 }).toBe(2);
    for (const fit of await rows.evaluateAll((all) => all.map((row) => row.getAttribute("data-fit"))))
      expect(fit).toBe("fits");
    for (const speed of await page.getByTestId("export-predicted-speed").allInnerTexts())
      expect(speed).toMatch(/^[\d.,]+ tok\/s – [\d.,]+ tok\/s predicted$/);
    expect(await page.getByTestId("export-margin").first().innerText()).toMatch(/^[\d.]+ (MB|GB)$/);
    await page.getByTestId("export-predictions").getByText(/Q8_0/i).first().waitFor();
    await shot("predicted");
  });

  it("exports the variant to a folder, shows where, and verifies it", async () => {
    await page.getByTestId("export-prediction-row").filter({ hasText: /Q8_0/i }).getByRole("radio").check();
    await page.getByLabel("Destination").fill(bundle());
    await page.getByRole("button", { name: "Export", exact: true }).click();
    const location = page.getByTestId("export-location");
    await location.waitFor({ timeout: 180_000 });
    expect(await location.innerText()).toBe(bundle());
    const manifest = exportManifest.parse(
      JSON.parse(readFileSync(path.join(bundle(), "manifest.json"), "utf8")),
    );
    expect(manifest.device?.profile.id).toBe("pixel-8");
    expect(manifest.model.fileType).toMatch(/Q8_0/);

    await page.getByRole("button", { name: "Verify" }).click();
    const verified = page.getByTestId("verify-result");
    await verified.waitFor({ timeout: 180_000 });
    expect(await verified.innerText()).toMatch(
      /^Verified: \d+ files, .* every sha256 matches; the model loads/,
    );
    await shot("verified");
  }, 400_000);

  it("records a llama-bench result of the bundle dropped on the screen for the phone, matched by hash", async () => {
    const results = path.join(work, "pixel-8-bench.json");
    runBundleBenchScript(bundle(), results);
    expect(existsSync(results)).toBe(true);

    const dataTransfer = await page.evaluateHandle(
      ({ name, content }) => {
        const transfer = new DataTransfer();
        transfer.items.add(new File([content], name, { type: "application/json" }));
        return transfer;
      },
      { name: path.basename(results), content: readFileSync(results, "utf8") },
    );
    await page.getByTestId("results-drop").dispatchEvent("drop", { dataTransfer });
    await page.getByTestId("results-file").getByText("pixel-8-bench.json").waitFor();
    await page.getByLabel("Measured on").selectOption("pixel-8");
    await page.getByRole("button", { name: "Import results" }).click();
    await page
      .locator('[data-testid="results-outcome"][data-status="recorded"]')
      .waitFor({ timeout: 60_000 });
    const matched = await page
      .getByTestId("results-row")
      .evaluateAll((rows) => rows.map((row) => row.getAttribute("data-matched")));
    expect(matched).toEqual(["hash", "hash"]);
    await page.getByTestId("results-recorded").getByText("1 run recorded for the device").waitFor();
    await shot("results");
    expect(problems).toEqual([]);
  }, 400_000);
});
