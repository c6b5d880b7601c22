// End to end on Compress's text fields: the built `cwb serve`, a real Chromium. A text file picked
// with the file picker and another dropped on the evaluation field are uploaded, stored as library
// text sets (hash, size) and selected in their field; `texts.list` then offers both with their
// hashes. A binary file is refused with a message naming it. No model is needed.
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { OfferedText } from "../../src/shared/domain/offeredText.js";
import { launchBrowser, openPage } from "../helpers/browser.js";
import { startServedApp, type ServedApp } from "../helpers/servedApp.js";
import { connectProtocol } from "../helpers/wsProtocolClient.js";

let dataDir: string;
let work: string;
let app: ServedApp;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), "cwb-e2e-texts-"));
  work = mkdtempSync(path.join(os.tmpdir(), "cwb-e2e-texts-in-"));
  app = await startServedApp(dataDir);
  browser = await launchBrowser();
  ({ page } = await openPage(browser, app.url));
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  for (const dir of [dataDir, work]) if (dir) rmSync(dir, { recursive: true, force: true });
});

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

/** Dispatches a drop of one file on the element, the way a browser does for a file from the desktop. */
async function dropFile(testId: string, name: string, content: string): Promise<void> {
  await page.getByTestId(testId).evaluate(
    (target, file) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([file.content], file.name, { type: "text/plain" }));
      target.dispatchEvent(
        new DragEvent("dragover", { bubbles: true, cancelable: true, dataTransfer: transfer }),
      );
      target.dispatchEvent(
        new DragEvent("drop", { bubbles: true, cancelable: true, dataTransfer: transfer }),
      );
    },
    { name, content },
  );
}

it("stores a picked and a dropped text as text sets, selects them, and refuses a binary file", async () => {
  await page.locator('[data-testid="connection-status"][data-status="connected"]').waitFor();
  await page.evaluate(() => (window.location.hash = "#/compress"));
  await page.getByRole("heading", { name: "Compress" }).waitFor();

  const picked = "Ein Text, gewählt mit dem Dateiauswahldialog.\n".repeat(50);
  const pickedFile = path.join(work, "picked-eval.txt");
  writeFileSync(pickedFile, picked);
  await page.getByTestId("text-file-input-evaluation").setInputFiles(pickedFile);
  await expect
    .poll(() => page.getByLabel("Evaluation text file", { exact: true }).inputValue())
    .toMatch(new RegExp(`text-sets/${sha256(picked).slice(0, 12)}-picked-eval\\.txt$`));

  const dropped = "A text dropped on the evaluation field.\n".repeat(40);
  await dropFile("text-drop-evaluation", "dropped-eval.txt", dropped);
  await expect
    .poll(() => page.getByLabel("Evaluation text file", { exact: true }).inputValue())
    .toMatch(new RegExp(`text-sets/${sha256(dropped).slice(0, 12)}-dropped-eval\\.txt$`));
  // The offered list now names it with its size and hash, and it is the chosen entry.
  const offered = page.getByLabel("Evaluation text file: offered texts");
  await expect
    .poll(() => offered.locator("option:checked").innerText())
    .toContain(sha256(dropped).slice(0, 8));

  const binaryFile = path.join(work, "weights.bin");
  writeFileSync(binaryFile, Buffer.from([0x47, 0x47, 0x55, 0x46, 0x00, 0xff, 0xfe, 0x80, 0x81]));
  await page.getByTestId("text-file-input-evaluation").setInputFiles(binaryFile);
  await expect
    .poll(() => page.getByRole("alert").filter({ hasText: "weights.bin" }).innerText())
    .toContain("weights.bin is not UTF-8 text");

  const connection = await connectProtocol(`ws://127.0.0.1:${app.port}/ws?token=${app.token}`, {
    Origin: app.origin,
  });
  const listed = await connection.call("texts.list", {});
  await connection.close();
  expect(listed.ok).toBe(true);
  const texts = (listed as { value: { texts: OfferedText[] } }).value.texts.filter(
    (t) => t.source === "library",
  );
  expect(texts.map((t) => [t.name, t.sha256, t.bytes, t.purpose]).sort()).toEqual(
    [
      ["dropped-eval.txt", sha256(dropped), Buffer.byteLength(dropped), "evaluation"],
      ["picked-eval.txt", sha256(picked), Buffer.byteLength(picked), "evaluation"],
    ].sort(),
  );
}, 30_000);
