// End to end: Compare on a device. The built `cwb serve`, a real Chromium, the reference model and
// its Q8_0 variant in an experiment, llama-bench's JSON for the F16 variant (run here by llama.cpp's
// llama-bench) imported for the Pixel 8 through the results.import call; then Compare with the
// Pixel 8 chosen shows the F16 speeds as measured on it with their spread, the Q8_0 generation as a
// predicted range, the predicted-vs-measured error, and the fit; the Devices screen lists the
// measured figures before the profile's. Screens go to test-results/screenshots/compare-device-*.png.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { importModel } from "../../src/core/library/importModel.js";
import { addExperimentModel, insertExperiment } from "../../src/core/store/experiments.js";
import { Store } from "../../src/core/store/Store.js";
import type { DeviceResultsImport } from "../../src/shared/deviceResults/deviceResultsImport.js";
import { llamaBenchJson } from "../deviceResults/llamaBenchOutput.js";
import { quantizedVariant } from "../eval/models.js";
import { launchBrowser, openPage, saveScreenshot } from "../helpers/browser.js";
import { referenceBuildTimeoutMs, referenceModelPath } from "../helpers/referenceModel.js";
import { startServedApp, type ServedApp } from "../helpers/servedApp.js";
import { connectProtocol, type ProtocolConnection } from "../helpers/wsProtocolClient.js";

let dir: string;
let app: ServedApp;
let browser: Browser;
let page: Page;
let problems: string[];
let protocol: ProtocolConnection;
let experimentId: string;
let resultsFile: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "cwb-e2e-compare-device-"));
  const dataDir = path.join(dir, "data");
  const base = await referenceModelPath();
  const q8 = quantizedVariant(base, "Q8_0");
  // The experiment is made before the server starts, in the data folder it then serves.
  const store = Store.open(path.join(dataDir, "workbench.sqlite"));
  try {
    const f16Id = (await importModel(store.db, base)).model.id;
    const q8Id = (await importModel(store.db, q8)).model.id;
    experimentId = insertExperiment(store.db, { name: "phone check", kind: "sweep", recipe: null }).id;
    addExperimentModel(store.db, experimentId, { modelId: f16Id, label: "F16", position: 0 });
    addExperimentModel(store.db, experimentId, { modelId: q8Id, label: "Q8_0", position: 1 });
  } finally {
    store.close();
  }
  resultsFile = path.join(dir, "pixel-8.json");
  writeFileSync(resultsFile, llamaBenchJson([base]));
  app = await startServedApp(dataDir);
  browser = await launchBrowser();
  ({ page, problems } = await openPage(browser, app.url, { width: 1440, height: 1000 }));
  protocol = await connectProtocol(`ws://127.0.0.1:${app.port}/ws?token=${app.token}`, {
    Origin: app.origin,
  });
}, referenceBuildTimeoutMs);

afterAll(async () => {
  await protocol?.close();
  await browser?.close();
  await app?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function go(route: string): Promise<void> {
  await page.evaluate((hash) => (window.location.hash = hash), route);
}

const deviceRow = (label: string) => page.locator(`[data-testid="device-row"][data-label="${label}"]`);

describe("Compare on a device", () => {
  it("shows measured speeds, predicted ranges and the predicted-vs-measured error for the chosen device", async () => {
    await page.locator('[data-testid="connection-status"][data-status="connected"]').waitFor();
    await go(`#/compare/${experimentId}`);
    await page.getByRole("combobox", { name: "Device", exact: true }).waitFor();
    // Nothing imported yet: every number on the device is a prediction.
    await page.getByRole("combobox", { name: "Device", exact: true }).selectOption("pixel-8");
    await deviceRow("F16").getByTestId("device-predicted").waitFor();
    expect(await deviceRow("F16").getByTestId("device-error").innerText()).toBe("—");

    const frame = await protocol.call("results.import", { path: resultsFile, device: "pixel-8" });
    if (!frame.ok) throw new Error(`results.import failed: ${frame.error.message}`);
    expect((frame.value as DeviceResultsImport).status).toBe("recorded");

    // The import announces itself; the table turns the F16 speeds into measurements.
    const generation = deviceRow("F16").getByTestId("device-generation");
    await generation.getByTestId("device-measured").waitFor();
    expect(await generation.innerText()).toMatch(
      /^measured on Google Pixel 8\s*[\d.,]+ tok\/s ± [\d.,]+ tok\/s \(n=2\)$/,
    );
    expect(await deviceRow("F16").getByTestId("device-prompt").innerText()).toMatch(
      /^measured on Google Pixel 8\s*[\d.,]+ tok\/s ± [\d.,]+ tok\/s \(n=2\)$/,
    );
    expect(await deviceRow("F16").getByTestId("device-error").innerText()).toMatch(
      /^[+−][\d.]+ %, (inside|outside) [\d.,]+–[\d.,]+ tok\/s$/,
    );
    expect(await deviceRow("F16").getByTestId("device-fit").innerText()).toMatch(/^fits \(\+[\d.]+ GiB\)$/);
    expect(await deviceRow("Q8_0").getByTestId("device-generation").innerText()).toMatch(
      /^predicted\s*[\d.,]+–[\d.,]+ tok\/s$/,
    );
    expect(await deviceRow("Q8_0").getByTestId("device-prompt").innerText()).toBe("not predicted");
    expect(await deviceRow("Q8_0").getByTestId("device-error").innerText()).toBe("—");
    const notes = await page.getByTestId("device-notes").innerText();
    expect(notes).toContain("every other device number is a prediction");
    expect(notes).toContain("leave-one-out");
    // This machine's own table is untouched by the phone's results.
    expect(await page.getByText("not measured yet").count()).toBe(1);
    await saveScreenshot(page, "compare-device-pixel-8");
  });

  it("lists the device's measured figures before its profile figures on the Devices screen", async () => {
    await go("#/devices");
    await page.getByRole("link", { name: "Google Pixel 8", exact: true }).click();
    const detail = page.locator('[data-testid="device-detail"][data-device-id="pixel-8"]');
    const measured = detail.getByTestId("device-measured-results");
    await measured.waitFor();
    expect(await measured.getByTestId("device-measured-row").count()).toBe(1);
    expect(await measured.getByTestId("device-measured-row").innerText()).toMatch(
      /^model\.gguf\t[\d.,]+ tok\/s ± [\d.,]+ tok\/s \(n=2\)\t[\d.,]+ tok\/s ± [\d.,]+ tok\/s \(n=2\)\t[\d.]+ % ± [\d.]+ %$/,
    );
    expect(await detail.getByTestId("device-efficiency").innerText()).toContain(
      "from 1 result(s) measured on this device",
    );
    const order = await detail.evaluate((root) => {
      const results = root.querySelector('[data-testid="device-measured-results"]')!;
      const figure = root.querySelector('[data-testid="device-figure"]')!;
      return results.compareDocumentPosition(figure) & Node.DOCUMENT_POSITION_FOLLOWING;
    });
    expect(order).toBeTruthy();
    await saveScreenshot(page, "compare-device-devices-screen");
    expect(problems).toEqual([]);
  });
});
