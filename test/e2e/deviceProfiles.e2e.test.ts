// End to end: the Devices screen of the built `cwb serve` in a real Chromium. The built-in profiles
// are listed with each figure's source; a new profile with missing figures is refused next to the
// fields; a filled-in one is added, listed as the user's, seen by another protocol client, and a
// built-in's id is refused with the fix. Screens go to test-results/screenshots/device-profiles-*.png.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { builtinDeviceProfiles } from "../../src/shared/devices/builtinDeviceProfiles.js";
import type { DeviceEntry } from "../../src/shared/domain/deviceProfile.js";
import { launchBrowser, openPage, saveScreenshot } from "../helpers/browser.js";
import { startServedApp, type ServedApp } from "../helpers/servedApp.js";
import { connectProtocol } from "../helpers/wsProtocolClient.js";

let dataDir: string;
let app: ServedApp;
let browser: Browser;
let page: Page;
let problems: string[];

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), "cwb-e2e-device-profiles-"));
  app = await startServedApp(dataDir);
  browser = await launchBrowser();
  ({ page, problems } = await openPage(browser, app.url, { width: 1440, height: 1000 }));
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

const form = () => page.getByRole("form", { name: "New device profile" });

describe("Devices screen in a browser", () => {
  it("lists the built-in profiles and shows one with the source of each figure", async () => {
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Devices" }).click();
    await expect.poll(() => page.getByTestId("device-row").count()).toBe(builtinDeviceProfiles.length);
    await page.getByRole("link", { name: "Raspberry Pi 5 (8 GB)" }).click();
    const detail = page.locator('[data-testid="device-detail"][data-device-id="raspberry-pi-5-8gb"]');
    await detail.waitFor();
    const bandwidth = detail.getByTestId("device-figure").filter({ hasText: "Memory bandwidth" });
    expect(await bandwidth.innerText()).toMatch(
      /17.1 GB\/s\s+derived from specs\s+derived: 32-bit LPDDR4X at 4267 MT\/s/,
    );
    // A built-in can be copied but not edited or removed.
    expect(await page.getByRole("button", { name: "Edit" }).count()).toBe(0);
    await saveScreenshot(page, "device-profiles-builtin");
  });

  it("refuses a profile with missing figures, next to each field", async () => {
    await page.getByRole("button", { name: "New profile" }).click();
    await form().getByRole("button", { name: "Add profile" }).click();
    await form().getByTestId("error-id").waitFor();
    expect(await form().getByTestId("error-ram-amount").innerText()).toBe("enter a positive number");
    expect(await form().getByTestId("error-ram-source").innerText()).toBe("say where the number comes from");
  });

  it("adds a device and sees it listed as the user's", async () => {
    await form().getByRole("textbox", { name: /^Id/ }).fill("lab-tablet");
    await form().getByRole("textbox", { name: /^Name/ }).fill("Lab tablet");
    await form().getByRole("combobox", { name: "Kind" }).selectOption("tablet");
    const figures: [string, string, string][] = [
      ["RAM (GiB)", "RAM", "6"],
      ["Usable by one app (GiB)", "usable memory", "3"],
      ["Memory bandwidth (GB/s)", "bandwidth", "34.1"],
    ];
    for (const [label, name, amount] of figures) {
      await form().getByRole("spinbutton", { name: label }).fill(amount);
      await form()
        .getByRole("textbox", { name: `Source of the ${name} figure` })
        .fill(`lab sheet, ${name}`);
    }
    await form().getByRole("combobox", { name: "Basis of Memory bandwidth (GB/s)" }).selectOption("measured");
    await form().getByRole("button", { name: "Add profile" }).click();

    const row = page.locator('[data-testid="device-row"][data-device-id="lab-tablet"]');
    await row.waitFor();
    expect(await row.innerText()).toMatch(/Lab tablet\s+tablet · 6 GiB RAM\s+3 GiB\s+34.1 GB\/s\s+yours/);
    const detail = page.locator('[data-testid="device-detail"][data-device-id="lab-tablet"]');
    await detail.waitFor();
    // The measured figure comes first.
    expect(await detail.getByTestId("device-figure").first().innerText()).toMatch(
      /^Memory bandwidth\s+34.1 GB\/s\s+measured/,
    );
    await saveScreenshot(page, "device-profiles-added");

    // The server recorded it: another client lists it.
    const connection = await connectProtocol(`ws://127.0.0.1:${app.port}/ws?token=${app.token}`, {
      Origin: app.origin,
    });
    try {
      const listed = await connection.call("devices.list", {});
      expect(listed.ok).toBe(true);
      const entries = (listed as { value: DeviceEntry[] }).value;
      expect(entries.find((e) => e.profile.id === "lab-tablet")).toMatchObject({
        origin: "user",
        profile: {
          kind: "tablet",
          ramBytes: { value: 6 * 1024 ** 3, source: "lab sheet, RAM", basis: "spec" },
        },
      });
    } finally {
      await connection.close();
    }
  });

  it("refuses a built-in's id with the fix in the screen's words", async () => {
    await page.getByRole("link", { name: "Google Pixel 8" }).click();
    await page.getByRole("button", { name: "Copy" }).click();
    const copy = page.getByRole("form", { name: "New device profile" });
    await copy.getByRole("textbox", { name: /^Id/ }).fill("pixel-8");
    await copy.getByRole("button", { name: "Add profile" }).click();
    const refusal = copy.getByTestId("device-form-refusal");
    await refusal.waitFor();
    expect(await refusal.innerText()).toContain(
      '"pixel-8" is a built-in device profile; choose another id for yours',
    );
    expect(problems).toEqual([]);
  });
});
