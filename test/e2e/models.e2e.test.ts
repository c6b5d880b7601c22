// End to end: the built `cwb serve` process and a real Chromium. Import a model by path and by the
// file picker (upload), see it listed with the right numbers, open its details and tensor table,
// follow the job on the Jobs screen, remove one model, and keep screenshots of each screen.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatBytes, formatParams } from "../../src/shared/format.js";
import { launchBrowser, openPage, saveScreenshot } from "../helpers/browser.js";
import { writeTinyGguf, type TinyGgufInfo } from "../helpers/gguf.js";
import { startServedApp, type ServedApp } from "../helpers/servedApp.js";
import { connectProtocol } from "../helpers/wsProtocolClient.js";

/** Polls wait this long: the machine is small and shared, and imports spawn worker processes. */
const eventually = { timeout: 15_000 };

let dataDir: string;
let app: ServedApp;
let browser: Browser;
let page: Page;
let problems: string[];
let byPath: TinyGgufInfo;
let byPicker: TinyGgufInfo;
let byDrop: TinyGgufInfo;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), "cwb-e2e-models-"));
  const sources = path.join(dataDir, "sources");
  mkdirSync(sources);
  byPath = writeTinyGguf(path.join(sources, "tiny-f16.gguf"), {
    name: "tiny llama F16",
    layers: 3,
    seed: 21,
  });
  byPicker = writeTinyGguf(path.join(sources, "tiny-f32.gguf"), {
    name: "tiny llama F32",
    weights: "F32",
    seed: 22,
  });
  byDrop = writeTinyGguf(path.join(sources, "dropped.gguf"), {
    name: "tiny llama dropped",
    layers: 1,
    seed: 23,
  });
  app = await startServedApp(dataDir);
  browser = await launchBrowser();
  ({ page, problems } = await openPage(browser, app.url));
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/** Waits until the newest import row (there are `rows` of them) has finished, then wants success. */
async function expectImportSucceeded(page: Page, rows: number): Promise<void> {
  await expect.poll(() => page.getByTestId("import-row").count(), eventually).toBe(rows);
  const newest = page.getByTestId("import-row").first();
  await expect
    .poll(() => newest.getAttribute("data-state"), { timeout: 60_000 })
    .toMatch(/^(succeeded|failed)$/);
  expect(await newest.getAttribute("data-state"), await newest.innerText()).toBe("succeeded");
}

describe("Models screen in a browser", () => {
  it("connects over the WebSocket and drops the token from the address bar", async () => {
    await page.locator('[data-testid="connection-status"][data-status="connected"]').waitFor();
    expect(new URL(page.url()).searchParams.has("token")).toBe(false);
    await page.getByText("No models yet", { exact: true }).waitFor();
  });

  it("imports a model by path and lists it with its numbers", async () => {
    await page.getByLabel("Path to a GGUF file").fill(byPath.path);
    await page.getByRole("button", { name: "Import", exact: true }).click();
    await expectImportSucceeded(page, 1);

    const row = page.locator('[data-testid="model-row"]', { hasText: "tiny llama F16" });
    await row.waitFor();
    const cells = await row.locator("td").allInnerTexts();
    expect(cells[0]).toContain("tiny-f16.gguf");
    expect(cells[1]).toBe("llama");
    expect(cells[2]).toBe(formatParams(byPath.parameterCount));
    expect(cells[3]).toBe(formatBytes(byPath.sizeBytes));
    expect(cells[4]).toBe("F16");
    expect(cells[5]).toMatch(/^\d+\.\d\d bpw$/);
  });

  it("imports a model chosen with the file picker (uploaded to the server)", async () => {
    await page.getByTestId("import-file-input").setInputFiles(byPicker.path);
    await expectImportSucceeded(page, 2);
    const row = page.locator('[data-testid="model-row"]', { hasText: "tiny llama F32" });
    await row.waitFor();
    expect(await row.locator("td").nth(4).innerText()).toBe("F32");
    // The uploaded copy lives in the data dir, under the name it had on the client.
    expect(existsSync(path.join(dataDir, "models", "tiny-f32.gguf"))).toBe(true);
  });

  it("imports a file dropped onto the page", async () => {
    const base64 = readFileSync(byDrop.path).toString("base64");
    // What a real drag from the file manager delivers: a drop event whose DataTransfer holds a File.
    await page.evaluate(
      ({ name, data }) => {
        const bytes = Uint8Array.from(atob(data), (char) => char.charCodeAt(0));
        const transfer = new DataTransfer();
        transfer.items.add(new File([bytes], name));
        const target = document.querySelector("h1")!;
        for (const type of ["dragenter", "dragover", "drop"]) {
          target.dispatchEvent(
            new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: transfer }),
          );
        }
      },
      { name: "dropped.gguf", data: base64 },
    );
    await expectImportSucceeded(page, 3);
    await page.locator('[data-testid="model-row"]', { hasText: "tiny llama dropped" }).waitFor();
    expect(readFileSync(path.join(dataDir, "models", "dropped.gguf")).equals(readFileSync(byDrop.path))).toBe(
      true,
    );
    await saveScreenshot(page, "models");
  });

  it("refuses a dropped file that is not .gguf without uploading it", async () => {
    await page.evaluate(() => {
      const transfer = new DataTransfer();
      transfer.items.add(new File(["hello"], "notes.txt"));
      document
        .querySelector("h1")!
        .dispatchEvent(new DragEvent("drop", { bubbles: true, cancelable: true, dataTransfer: transfer }));
    });
    await page.getByText("Not a .gguf file: notes.txt").waitFor();
    expect(await page.getByTestId("import-row").count()).toBe(3);
    await page.getByRole("alert").getByRole("button", { name: "Dismiss" }).click();
  });

  it("sorts the list by a column", async () => {
    const names = () => page.locator('[data-testid="model-row"] td:first-child a').allInnerTexts();
    await page.getByRole("button", { name: "Parameters" }).click();
    // Numeric columns sort largest first on the first click: more layers, more parameters.
    // Each name carries the variant's file type (or recipe), so rows of one model stay apart.
    expect(await names()).toEqual([
      "tiny llama F16 · F16",
      "tiny llama F32 · F32",
      "tiny llama dropped · F16",
    ]);
    await page.getByRole("button", { name: "Parameters" }).click();
    expect(await names()).toEqual([
      "tiny llama dropped · F16",
      "tiny llama F32 · F32",
      "tiny llama F16 · F16",
    ]);
  });

  it("shows a model's details with its tensor table and per-type summary", async () => {
    await page.locator('[data-testid="model-row"] a', { hasText: "tiny llama F16" }).click();
    await page.getByTestId("model-detail").waitFor();
    expect(await page.getByRole("heading", { level: 1 }).innerText()).toBe("tiny llama F16");
    await expect.poll(() => page.getByTestId("tensor-row").count(), eventually).toBe(byPath.tensorCount);

    const blk0 = page.locator('[data-testid="tensor-row"]', { hasText: "blk.0.attn_q.weight" });
    expect(await blk0.locator("td").allInnerTexts()).toEqual([
      "blk.0.attn_q.weight",
      "F16",
      "64 × 64",
      "4,096",
      formatBytes(64 * 64 * 2),
    ]);

    const summary = page.getByTestId("tensor-type-summary");
    const f32Cells = await summary.locator("tr", { hasText: "F32" }).locator("td").allInnerTexts();
    // Norms are F32: two per layer plus the output norm.
    expect(f32Cells[1]).toBe(String(byPath.layers * 2 + 1));
    const f16Cells = await summary.locator("tr", { hasText: "F16" }).locator("td").allInnerTexts();
    expect(f16Cells[1]).toBe(String(byPath.tensorCount - (byPath.layers * 2 + 1)));

    await page.getByLabel("Filter tensors").fill("ffn_up");
    await expect.poll(() => page.getByTestId("tensor-row").count(), eventually).toBe(byPath.layers);
    await page.getByLabel("Filter tensors").fill("");
    await page.getByLabel("Filter tensors").blur();
    await saveScreenshot(page, "model-detail");
  });

  it("lists the import jobs on the Jobs screen", async () => {
    await page.getByRole("link", { name: "Jobs", exact: true }).click();
    await expect
      .poll(() => page.locator('[data-testid="job-row"][data-state="succeeded"]').count(), eventually)
      .toBe(3);
    const first = page.getByTestId("job-row").first();
    expect(await first.innerText()).toContain("Import model");
    await first.getByRole("button", { name: "Logs" }).click();
    await page.getByTestId("job-logs").waitFor();
    await saveScreenshot(page, "jobs");
  });

  it("follows a running job live (progress, step, ETA) and cancels it", async () => {
    // debug.sleep is the queue's diagnostic job: real worker process, real progress events.
    const connection = await connectProtocol(`ws://127.0.0.1:${app.port}/ws?token=${app.token}`, {
      Origin: app.origin,
    });
    try {
      const started = await connection.call("jobs.start", { kind: "debug.sleep", params: { seconds: 120 } });
      expect(started.ok).toBe(true);
      const row = page.locator('[data-testid="job-row"][data-state="running"]');
      await row.waitFor({ timeout: 30_000 });
      expect(await row.innerText()).toContain("Diagnostic sleep");
      await expect
        .poll(() => row.locator("td").nth(2).innerText(), eventually)
        .toMatch(/\d+ %\s+sleeping: \d+\.\d of 120 s/);
      await expect
        .poll(() => row.locator("td").nth(3).innerText(), eventually)
        .toMatch(/^\d+(\.\d+)? s$|^\d+ min \d\d s$/);
      await saveScreenshot(page, "jobs-running");
      await row.getByRole("button", { name: "Cancel" }).click();
      await page.locator('[data-testid="job-row"][data-state="cancelled"]').waitFor({ timeout: 30_000 });
      const cancelled = page.locator('[data-testid="job-row"][data-state="cancelled"]');
      await cancelled.getByRole("button", { name: "Retry" }).waitFor();
    } finally {
      await connection.close();
    }
  });

  it("removes a model after confirmation and keeps its file unless asked", async () => {
    await page.getByRole("link", { name: "Models", exact: true }).click();
    await page.locator('[data-testid="model-row"] a', { hasText: "tiny llama F32" }).click();
    await page.getByRole("button", { name: "Remove…" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByText("Also delete the file from disk").waitFor();
    await dialog.getByRole("button", { name: "Remove from library" }).click();
    await page.getByRole("heading", { level: 1, name: "Models" }).waitFor();
    await expect.poll(() => page.getByTestId("model-row").count(), eventually).toBe(2);
    expect(existsSync(path.join(dataDir, "models", "tiny-f32.gguf"))).toBe(true);
  });

  it("deletes the file too when that box is ticked", async () => {
    const file = path.join(dataDir, "models", "dropped.gguf");
    expect(existsSync(file)).toBe(true);
    await page.locator('[data-testid="model-row"] a', { hasText: "tiny llama dropped" }).click();
    await page.getByRole("button", { name: "Remove…" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByRole("checkbox", { name: /Also delete the file from disk/ }).check();
    await dialog.getByRole("button", { name: "Remove and delete file" }).click();
    await page.getByRole("heading", { level: 1, name: "Models" }).waitFor();
    await expect.poll(() => page.getByTestId("model-row").count(), eventually).toBe(1);
    expect(existsSync(file)).toBe(false);
  });

  it("ran without console errors, failed requests or CSP violations", () => {
    expect(problems).toEqual([]);
  });
});

describe("connection loss", () => {
  it("reconnects by itself when the server comes back with the same token", async () => {
    const { port, token } = app;
    expect(await app.stop()).toBe(0);
    await page.locator('[data-testid="connection-status"][data-status="disconnected"]').waitFor();
    app = await startServedApp(dataDir, { port, token });
    await page
      .locator('[data-testid="connection-status"][data-status="connected"]')
      .waitFor({ timeout: 20_000 });
    // The list is fetched again on reconnect and still works.
    await expect.poll(() => page.getByTestId("model-row").count(), eventually).toBe(1);
  });

  it("says it is not authorised when the server restarted with a new token", async () => {
    const { port } = app;
    expect(await app.stop()).toBe(0);
    app = await startServedApp(dataDir, { port });
    await page
      .locator('[data-testid="connection-status"][data-status="unauthorized"]')
      .waitFor({ timeout: 20_000 });
    expect(await page.getByTestId("connection-status").innerText()).toContain("Not authorised");
  });
});
