// End to end through the decision screens: the built `cwb serve`, a real Chromium, the project's
// trained reference model and real llama.cpp work. Import the model, check the "will it fit" table,
// build a three-level recipe on Compress (dry run, layer importance and a prune included), start
// the sweep, watch progress on Jobs and cancel one job, open Compare (table, Pareto charts, budget
// query, side-by-side generation), annotate it in History, and find a file on Export. Every screen
// is saved to test-results/screenshots/<screen>.png.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ReferenceModelResult } from "../../src/shared/domain/referenceModel.js";
import { launchBrowser, openPage, saveScreenshot } from "../helpers/browser.js";
import { referenceBuildTimeoutMs, referenceModel } from "../helpers/referenceModel.js";
import { startServedApp, type ServedApp } from "../helpers/servedApp.js";

let dataDir: string;
let app: ServedApp;
let browser: Browser;
let page: Page;
let problems: string[];
let reference: ReferenceModelResult;

const sweepTypes = ["Q8_0", "Q4_K_M", "Q2_K"];

beforeAll(async () => {
  reference = await referenceModel();
  dataDir = mkdtempSync(path.join(os.tmpdir(), "cwb-e2e-workbench-"));
  app = await startServedApp(dataDir);
  browser = await launchBrowser();
  ({ page, problems } = await openPage(browser, app.url, { width: 1440, height: 1000 }));
  await page.context().grantPermissions(["clipboard-read", "clipboard-write"], { origin: app.origin });
}, referenceBuildTimeoutMs);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/** Full-page screenshot from the top, with inner scroll boxes reset, so the header sits where it belongs. */
async function shot(name: string): Promise<void> {
  await page.evaluate(() => {
    window.scrollTo(0, 0);
    for (const box of document.querySelectorAll(".overflow-y-auto")) box.scrollTop = 0;
    for (const box of document.querySelectorAll(".overflow-x-auto")) box.scrollLeft = 0;
  });
  await saveScreenshot(page, name);
}

async function go(route: string): Promise<void> {
  await page.evaluate((hash) => (window.location.hash = hash), route);
}

/** Succeeded or failed, then insists on success and shows the row's words when not. */
async function expectSucceeded(locator: ReturnType<Page["locator"]>, timeout: number): Promise<void> {
  await expect
    .poll(() => locator.getAttribute("data-state"), { timeout, interval: 500 })
    .toMatch(/^(succeeded|failed|cancelled|interrupted)$/);
  expect(await locator.getAttribute("data-state"), await locator.innerText()).toBe("succeeded");
}

describe("decision screens in a browser", () => {
  it("imports the reference model and says whether it fits this machine", async () => {
    await page.locator('[data-testid="connection-status"][data-status="connected"]').waitFor();
    await page.getByLabel("Path to a GGUF file").fill(reference.modelPath);
    await page.getByRole("button", { name: "Import", exact: true }).click();
    await expectSucceeded(page.getByTestId("import-row").first(), 120_000);
    await page.getByTestId("model-row").first().waitFor();

    const fitRow = page.getByTestId("fit-row").first();
    await fitRow.waitFor();
    // A 4-layer, 256-wide model fits 24 GiB at any context offered.
    expect(await fitRow.getByTestId("fit-badge").first().getAttribute("data-level")).toBe("fits");
    await page.getByLabel("Context size").selectOption("131072");
    expect(await fitRow.innerText()).toContain("beyond its");
    await page.getByLabel("Context size").selectOption("4096");
    await shot("models");
  });

  it("builds a recipe on Compress, predicts sizes and prunes a block", async () => {
    await go("#/compress");
    await page.getByRole("heading", { name: "Compress" }).waitFor();
    // Starting without types explains what is missing instead of failing later.
    await page.getByTestId("start-sweep").click();
    await page.getByText("Pick at least one quantization type.").waitFor();

    for (const type of sweepTypes)
      await page.locator(`[data-testid="quant-type-row"][data-type="${type}"]`).click();
    expect(await page.getByTestId("selected-type-count").innerText()).toContain("3 selected");
    await page.getByLabel("Evaluation text file", { exact: true }).fill(reference.evalText.path);
    await page.getByLabel("Evaluation context").fill("128");
    await page.getByLabel("Evaluation chunks").fill("2");
    await page.getByLabel("Benchmark repetitions").fill("1");

    // Dry run: one predicting quantize job per type, sizes shrinking with the bits.
    await page.getByRole("button", { name: "Predict sizes (dry run)" }).click();
    const dryRows = page.getByTestId("dry-run-row");
    await expect.poll(() => dryRows.count()).toBe(3);
    for (const type of sweepTypes)
      await expectSucceeded(page.locator(`[data-testid="dry-run-row"][data-type="${type}"]`), 120_000);
    const predicted = await dryRows.evaluateAll((rows) => rows.map((row) => (row as HTMLElement).innerText));
    for (const text of predicted) expect(text).toMatch(/\d(\.\d+)? (kB|MB)\s+\d\.\d\d bpw\s+\d+\.\d %/);
    const bpw = predicted.map((text) => Number(/(\d\.\d\d) bpw/.exec(text)![1]));
    expect(bpw[0]).toBeGreaterThan(bpw[1]!);
    expect(bpw[1]).toBeGreaterThan(bpw[2]!);

    // Layer pruning: importance per block as a bar chart, then drop the least important one.
    await page.getByLabel("Layer importance text file").fill(reference.calibrationText.path);
    await page.getByRole("button", { name: "Measure block importance" }).click();
    await page.getByTestId("layer-importance-chart").waitFor({ timeout: 180_000 });
    await page.getByRole("button", { name: "Prune 1 least important" }).click();
    await page.getByText(/New model .* is in the library/).waitFor({ timeout: 180_000 });
    await shot("compress");
  }, 600_000);

  it("starts the sweep, shows its progress on Jobs and cancels one job", async () => {
    await page.getByTestId("start-sweep").click();
    await page.waitForURL(/#\/jobs$/);
    await page.getByRole("heading", { name: "Jobs" }).waitFor();

    // Progress moves: sample the running row's bar and step until something finishes.
    const seen = new Set<string>();
    const deadline = Date.now() + 120_000;
    let cancelled: string | null = null;
    while (Date.now() < deadline && (seen.size < 3 || cancelled === null)) {
      const running = page.locator('[data-testid="job-row"][data-state="running"]').first();
      if ((await running.count()) > 0) {
        const value = await running
          .getByRole("progressbar")
          .getAttribute("aria-valuenow")
          .catch(() => null);
        const step = await running
          .locator("td")
          .nth(2)
          .innerText()
          .catch(() => "");
        seen.add(`${value}|${step}`);
      }
      // A benchmark: the sweep's whole graph is queued at its start, and cancelling a quantization or
      // the evaluation would also end the steps that need it (the Compare checks below need them).
      const queued = page
        .locator('[data-testid="job-row"][data-state="queued"]', { hasText: "Benchmark speed and memory" })
        .first();
      if (cancelled === null && (await queued.count()) > 0) {
        cancelled = (await queued.locator("td").first().innerText()).trim();
        await queued.getByRole("button", { name: "Cancel" }).click();
      }
      await page.waitForTimeout(250);
    }
    expect(seen.size, [...seen].join("\n")).toBeGreaterThanOrEqual(3);
    expect(cancelled).not.toBeNull();
    const cancelledRow = page
      .locator('[data-testid="job-row"]', { hasText: cancelled!.split("\n")[1] ?? cancelled! })
      .first();
    await expect.poll(() => cancelledRow.getAttribute("data-state"), { timeout: 30_000 }).toBe("cancelled");
    expect(await cancelledRow.innerText()).toMatch(/cancel/i);
    await shot("jobs");

    // The rest of the sweep runs to its end.
    await expect
      .poll(
        () =>
          page
            .locator(
              '[data-testid="job-row"][data-state="queued"], [data-testid="job-row"][data-state="running"]',
            )
            .count(),
        {
          timeout: 600_000,
          interval: 2000,
        },
      )
      .toBe(0);
  }, 900_000);

  it("compares the variants: table, Pareto charts, budget query and side-by-side generation", async () => {
    await go("#/compare");
    await page.getByTestId("compare-table").waitFor();
    const rows = page.getByTestId("compare-row");
    // The base and the variants that were not cancelled.
    await expect.poll(() => rows.count(), { timeout: 30_000 }).toBeGreaterThanOrEqual(3);
    const labels = await rows.evaluateAll((list) => list.map((row) => row.getAttribute("data-label")));
    expect(labels).toContain("base");

    // The evaluation is the sweep's last job: wait for its numbers (KLD with four decimals).
    const kldShown = () =>
      page
        .getByTestId("compare-table")
        .innerText()
        .then((t) => /\b0\.\d{4}\b/.test(t));
    const deadline = Date.now() + 300_000;
    while (!(await kldShown()) && Date.now() < deadline) await page.waitForTimeout(1000);
    if (!(await kldShown())) {
      await go("#/jobs");
      throw new Error(`no evaluation results; jobs:\n${await page.getByRole("table").innerText()}`);
    }

    // Every row has a size; measured rows carry units and the fixed precisions.
    const text = await page.getByTestId("compare-table").innerText();
    expect(text).toMatch(/\d+\.\d tok\/s/);
    expect(text).toMatch(/\b0\.\d{4}\b/); // KLD, four decimals
    expect(text).toMatch(/\d+\.\d{3} ± \d+\.\d{3}/); // PPL ± uncertainty

    // Size vs KLD: every row plotted, the base and at least one variant on the front.
    const sizeChart = page.getByTestId("pareto-sizeVsKld");
    await expect.poll(() => sizeChart.getAttribute("data-points")).toBe(String(await rows.count()));
    expect(Number(await sizeChart.getAttribute("data-front"))).toBeGreaterThanOrEqual(2);
    await sizeChart.locator("canvas").first().waitFor();

    // A click on a point on the canvas selects its row; a click on the row deselects it in the chart too.
    const pixels = JSON.parse((await sizeChart.getAttribute("data-pixels"))!) as Record<
      string,
      [number, number]
    >;
    const pointLabel = Object.keys(pixels).find((label) => label !== "base")!;
    const [px, py] = pixels[pointLabel]!;
    await sizeChart
      .locator("canvas")
      .first()
      .click({ position: { x: px, y: py } });
    const pointRow = page.locator(`[data-testid="compare-row"][data-label="${pointLabel}"]`);
    await expect.poll(() => pointRow.getAttribute("aria-selected")).toBe("true");
    expect(await sizeChart.getAttribute("data-selected")).toBe(pointLabel);
    await pointRow.click();
    await expect.poll(() => sizeChart.getAttribute("data-selected")).toBe("");

    // Sorting by KLD puts the base (0) last when descending.
    await page.getByRole("button", { name: /KLD mean/ }).click();
    await page.getByRole("button", { name: /KLD mean/ }).click();
    expect(await rows.last().getAttribute("data-label")).toBe("base");

    // The budget query answers with a measured variant.
    await page.getByLabel("Memory limit in GB").fill("100");
    await page.getByLabel("Minimum generation speed").fill("1");
    await expect.poll(() => page.getByTestId("fit-answer").getAttribute("data-best")).not.toBe("");
    await shot("compare");

    // The two generation speeds: one line says which one an app sees; hiding one survives a reload.
    expect(await page.getByTestId("speed-view-note").innerText()).toMatch(/^Your app sees App generation/);
    const header = () => page.getByTestId("compare-table").locator("thead").innerText();
    expect(await header()).toMatch(/App generation/);
    await page.getByLabel("Generation speeds shown").selectOption("engine");
    await expect.poll(header).not.toMatch(/App generation/);
    await page.reload();
    await page.getByTestId("compare-table").waitFor();
    expect(await page.getByLabel("Generation speeds shown").inputValue()).toBe("engine");
    expect(await header()).not.toMatch(/App generation/);
    expect(await header()).toMatch(/Generation/);
    await page.getByLabel("Generation speeds shown").selectOption("both");
    await expect.poll(header).toMatch(/App generation/);

    // Side by side: the base and one variant write the same prompt, each with its speed.
    const variant = rows.filter({ hasNot: page.getByText("base", { exact: true }) }).first();
    await page.locator('[data-testid="compare-row"][data-label="base"]').click();
    await variant.click();
    await page.getByLabel("Max tokens").fill("24");
    await page.getByRole("button", { name: "Generate with 2 selected" }).click();
    await page.getByTestId("generations").waitFor({ timeout: 180_000 });
    const speeds = await page.getByTestId("generation-speed").allInnerTexts();
    expect(speeds).toHaveLength(2);
    for (const speed of speeds)
      expect(speed).toMatch(/^\d[\d,]*\.\d tok\/s · first token [\d.,]+ ms · \d+ tokens$/);
    await shot("compare-generation");
  }, 600_000);

  it("keeps the experiment in History with notes and tags, and deletes it after confirmation", async () => {
    await go("#/history");
    await page.getByTestId("experiment-item").first().waitFor();
    const detail = page.getByTestId("experiment-detail");
    await detail.waitFor();
    expect(await detail.innerText()).toContain("Q8_0, Q4_K_M, Q2_K");

    await page.getByLabel("New note").fill("Q4_K_M looks like the knee on this machine.");
    await page.getByRole("button", { name: "Add", exact: true }).click();
    await page.getByTestId("note").first().waitFor();
    await page.getByRole("button", { name: "Edit tags" }).click();
    await page.getByLabel("Tags", { exact: true }).fill("e2e, laptop");
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await expect.poll(() => page.getByTestId("tag").allInnerTexts()).toEqual(["e2e", "laptop"]);

    // Search finds it by tag and not by nonsense.
    await page.getByLabel("Search experiments").fill("laptop");
    await expect.poll(() => page.getByTestId("experiment-item").count()).toBe(1);
    await shot("history");
    await page.getByLabel("Search experiments").fill("no-such-thing");
    await page.getByText("Nothing matches.").waitFor();
    await page.getByLabel("Search experiments").fill("");
    await page.getByTestId("experiment-item").first().waitFor();
  });

  it("shows the variants on Export with their predicted fit on a device", async () => {
    await go("#/export");
    await page.getByRole("heading", { name: "Export" }).waitFor();
    await page.getByTestId("export-prediction-row").first().waitFor();
    expect(await page.getByTestId("export-predicted-speed").first().innerText()).toMatch(/tok\/s predicted$/);
    await shot("export");
  });

  it("deletes the experiment from History only after confirmation, keeping files unless asked", async () => {
    await go("#/history");
    await page.getByTestId("experiment-detail").waitFor();
    await page.getByRole("button", { name: "Delete…" }).click();
    await page.getByRole("dialog").waitFor();
    await page.getByRole("button", { name: "Keep it" }).click();
    await page.getByTestId("experiment-detail").waitFor();
    await page.getByRole("button", { name: "Delete…" }).click();
    await page.getByRole("button", { name: "Delete experiment", exact: true }).click();
    await page.getByText(/^Deleted “/).waitFor();
    await page.getByText("No experiments yet: start a sweep on the Compress screen.").waitFor();

    expect(problems).toEqual([]);
  });
});
