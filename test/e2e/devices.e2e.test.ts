// End to end: the device settings on Compress reach the sweep's jobs, and every screen that shows a
// run says where it ran. The built `cwb serve`, a real Chromium, the reference model and real
// llama.cpp work: a one-variant sweep started from the UI with a non-default GPU layer count, the
// frame the browser sent and the jobs the server created checked for the settings, then Jobs,
// Compare and History checked for the backend each run recorded (and the software device skipped,
// on machines that have one). Screens go to test-results/screenshots/devices-<screen>.png.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Job } from "../../src/shared/domain/job.js";
import type { ReferenceModelResult } from "../../src/shared/domain/referenceModel.js";
import { describeRunDevice, jobRunDevice } from "../../src/shared/domain/runDevice.js";
import { launchBrowser, openPage, saveScreenshot } from "../helpers/browser.js";
import { referenceBuildTimeoutMs, referenceModel } from "../helpers/referenceModel.js";
import { startServedApp, type ServedApp } from "../helpers/servedApp.js";
import { connectProtocol, type ProtocolConnection } from "../helpers/wsProtocolClient.js";

let dataDir: string;
let app: ServedApp;
let browser: Browser;
let page: Page;
let problems: string[];
let reference: ReferenceModelResult;
let protocol: ProtocolConnection;
/** Every protocol frame the page sent to the server. */
const sent: string[] = [];

beforeAll(async () => {
  reference = await referenceModel();
  dataDir = mkdtempSync(path.join(os.tmpdir(), "cwb-e2e-devices-"));
  app = await startServedApp(dataDir);
  browser = await launchBrowser();
  ({ page, problems } = await openPage(browser, app.url, { width: 1440, height: 1000 }));
  page.on("websocket", (socket) =>
    socket.on("framesent", (frame) => {
      if (typeof frame.payload === "string") sent.push(frame.payload);
    }),
  );
  await page.reload();
  protocol = await connectProtocol(`ws://127.0.0.1:${app.port}/ws?token=${app.token}`, {
    Origin: app.origin,
  });
}, referenceBuildTimeoutMs);

afterAll(async () => {
  await protocol?.close();
  await browser?.close();
  await app?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

async function shot(name: string): Promise<void> {
  await page.evaluate(() => window.scrollTo(0, 0));
  await saveScreenshot(page, `devices-${name}`);
}

async function go(route: string): Promise<void> {
  await page.evaluate((hash) => (window.location.hash = hash), route);
}

async function listJobs(): Promise<Job[]> {
  const frame = await protocol.call("jobs.list", { limit: 100 });
  if (!frame.ok) throw new Error(`jobs.list failed: ${frame.error.message}`);
  return frame.value as Job[];
}

const finished = (job: Job) => ["succeeded", "failed", "cancelled", "interrupted"].includes(job.state);

describe("device settings and where each run ran", () => {
  it("sends the Compress device settings with the sweep and its bench and eval jobs", async () => {
    await page.locator('[data-testid="connection-status"][data-status="connected"]').waitFor();
    await page.getByLabel("Path to a GGUF file").fill(reference.modelPath);
    await page.getByRole("button", { name: "Import", exact: true }).click();
    await page.getByTestId("model-row").first().waitFor({ timeout: 120_000 });
    // The fit table counts RAM (and VRAM, with a GPU) separately; a 11 MB model fits any machine.
    const fitRow = page.getByTestId("fit-row").first();
    await fitRow.waitFor();
    expect(
      await fitRow.locator('[data-testid="fit-badge"][data-memory="RAM"]').getAttribute("data-level"),
    ).toBe("fits");
    await shot("models");

    await go("#/compress");
    await page.getByRole("heading", { name: "Compress" }).waitFor();
    // The defaults are the automatic choice, software renderers not allowed.
    const settings = page.getByTestId("device-settings");
    expect(await settings.getByLabel("GPU", { exact: true }).inputValue()).toBe("auto");
    expect(await settings.getByLabel("GPU layers", { exact: true }).inputValue()).toBe("auto");
    const software = settings.getByRole("checkbox", { name: "Allow software GPU devices" });
    expect(await software.isChecked()).toBe(false);
    expect(await settings.innerText()).toContain("the CPU drawing as a GPU");
    // CPU only turns the layer setting off; back to automatic with a layer count of 0.
    await settings.getByLabel("GPU", { exact: true }).selectOption("cpu");
    expect(await settings.getByLabel("GPU layers", { exact: true }).isDisabled()).toBe(true);
    expect(await software.isDisabled()).toBe(true);
    await settings.getByLabel("GPU", { exact: true }).selectOption("auto");
    await settings.getByLabel("GPU layers", { exact: true }).selectOption("count");
    await settings.getByLabel("Number of GPU layers").fill("0");

    await page.locator('[data-testid="quant-type-row"][data-type="Q8_0"]').click();
    await page.getByLabel("Evaluation text file", { exact: true }).fill(reference.evalText.path);
    await page.getByLabel("Evaluation context").fill("128");
    await page.getByLabel("Evaluation chunks").fill("2");
    await page.getByLabel("Benchmark repetitions").fill("1");
    await shot("compress");

    await page.getByTestId("start-sweep").click();
    await page.waitForURL(/#\/jobs$/);

    // What the server received from the page.
    const startFrame = sent
      .map((text) => JSON.parse(text) as { method?: string; params?: { recipe?: Record<string, unknown> } })
      .find((frame) => frame.method === "experiments.startSweep");
    expect(startFrame?.params?.recipe).toMatchObject({
      types: ["Q8_0"],
      gpu: "auto",
      gpuLayers: 0,
      allowSoftwareGpu: false,
      llamaBuild: "prebuilt",
    });

    // The jobs the sweep created carry them: a bench of the base and the variant in each of the
    // sweep's two interleaved rounds (the recipe's default), one evaluation.
    await expect
      .poll(
        async () => {
          const jobs = await listJobs();
          const measuring = jobs.filter((job) => job.kind === "bench" || job.kind === "eval");
          return measuring.length === 5 && measuring.every(finished);
        },
        { timeout: 600_000, interval: 2000 },
      )
      .toBe(true);
    const jobs = await listJobs();
    for (const job of jobs.filter((j) => j.kind === "bench" || j.kind === "eval")) {
      expect(job.state, `${job.kind}: ${job.error}`).toBe("succeeded");
      expect((job.params as { settings: unknown }).settings).toMatchObject({
        gpu: "auto",
        gpuLayers: 0,
        allowSoftwareGpu: false,
      });
    }
  }, 900_000);

  it("shows on Jobs where each benchmark and evaluation ran, and why a software device was skipped", async () => {
    const jobs = (await listJobs()).filter((j) => j.kind === "bench" || j.kind === "eval");
    await page.getByRole("heading", { name: "Jobs" }).waitFor();
    for (const job of jobs) {
      const recorded = describeRunDevice(jobRunDevice(job));
      // Runs made now record their backend; the row shows exactly what was recorded.
      expect(recorded.recorded).toBe(true);
      const row = page.locator(`[data-testid="job-row"][data-job-id="${job.id}"]`);
      await expect.poll(() => row.getAttribute("data-state"), { timeout: 30_000 }).toBe("succeeded");
      const shown = row.getByTestId("job-device");
      expect(await shown.getAttribute("data-recorded")).toBe("true");
      const text = await shown.innerText();
      expect(text).toContain(recorded.line);
      if (job.kind === "bench") expect(text).toMatch(/build \(.+\) · on /);
      for (const sentence of recorded.skipped) expect(text).toContain(sentence);
      // With GPU layers 0 nothing runs on a GPU device, and a software renderer is never used.
      expect(recorded.software).toBe(false);
      const backend = jobRunDevice(job)!.backend!;
      for (const skipped of backend.skipped.filter((s) => s.reason === "software"))
        expect(text).toContain(
          `${skipped.name} skipped: a software renderer (the CPU drawing as a GPU) is slower than the CPU backend`,
        );
    }
    await shot("jobs");
  });

  it("shows the backend of every run on Compare and in History", async () => {
    const bench = (await listJobs()).find((j) => j.kind === "bench" && j.state === "succeeded")!;
    const benchLine = describeRunDevice(jobRunDevice(bench));

    await go("#/compare");
    const table = page.getByTestId("run-devices");
    await table.waitFor();
    const rows = table.getByTestId("run-devices-row");
    await expect.poll(() => rows.count(), { timeout: 30_000 }).toBe(2);
    for (const label of ["base", "Q8_0"]) {
      const row = table.locator(`[data-testid="run-devices-row"][data-label="${label}"]`);
      expect(await row.getByTestId("bench-device").getAttribute("data-recorded")).toBe("true");
      expect(await row.getByTestId("eval-device").getAttribute("data-recorded")).toBe("true");
      // Same build and device as the bench job recorded (the layers and VRAM are per run).
      expect(await row.getByTestId("bench-device").innerText()).toContain(benchLine.line.split(" · ")[0]!);
    }
    const skipped = await page.getByTestId("skipped-device").allInnerTexts();
    expect(skipped).toEqual([...benchLine.skipped]);
    expect(await page.getByTestId("experiment-devices").innerText()).toContain(
      benchLine.line.split(" · ")[0]!,
    );
    await shot("compare");

    await go("#/history");
    await page.getByTestId("experiment-detail").waitFor();
    const detail = await page.getByTestId("experiment-detail").innerText();
    expect(detail).toMatch(/Ran on\s+\S+ build \(/);
    expect(detail).toMatch(/Device\s+automatic, 0 layers on the GPU, software GPU devices skipped/);
    for (const sentence of benchLine.skipped) expect(detail).toContain(sentence);
    await shot("history");
    expect(problems).toEqual([]);
  });

  it("offers llama.cpp built for this machine: the build starts from Compress, shows progress and cancels", async () => {
    await go("#/compress");
    const field = page.getByTestId("llama-build-field");
    await field.waitFor();
    const select = field.getByLabel("llama.cpp binaries");
    expect(await select.inputValue()).toBe("prebuilt");
    const frame = await protocol.call("app.llamaBuilds", {});
    if (!frame.ok) throw new Error(`app.llamaBuilds failed: ${frame.error.message}`);
    const listed = frame.value as { builds: { isMachineBuild: boolean }[]; cannotBuild: string | null };
    expect(listed.cannotBuild).toBeNull();
    const local = field.locator('option[value="local"]');
    if (listed.builds.some((build) => build.isMachineBuild)) {
      // Built already (a developer's machine): it can be chosen, and it runs on the CPU.
      expect(await local.isDisabled()).toBe(false);
      await select.selectOption("local");
      expect(await page.getByTestId("device-settings").getByLabel("GPU", { exact: true }).inputValue()).toBe(
        "cpu",
      );
      await select.selectOption("prebuilt");
      return;
    }
    expect(await local.isDisabled()).toBe(true);
    await field.getByRole("button", { name: "Build llama.cpp for this machine" }).click();
    const job = field.getByTestId("llama-build-job");
    await job.getByText(/compiling llama\.cpp/).waitFor({ timeout: 600_000 });
    await shot("llama-build");
    await job.getByRole("button", { name: "Cancel" }).click();
    await job.locator('[data-state="cancelled"]').waitFor({ timeout: 60_000 });
    expect(await local.isDisabled()).toBe(true);
  }, 700_000);
});
