// Launches the system Chromium (Debian's /usr/bin/chromium) through playwright-core for end-to-end
// tests, and keeps their screenshots in one place. Nothing is downloaded: playwright-core drives the
// browser the OS package installed.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";

export const chromiumPath = process.env.CWB_CHROMIUM ?? "/usr/bin/chromium";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
export const screenshotDir = path.join(repoRoot, "test-results", "screenshots");

/** Flags that keep a headless Chromium in a container quiet and offline. */
const chromiumArgs = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
  "--disable-dev-shm-usage",
];

/**
 * Installs Debian's chromium package when it is missing and we are root (fresh CI machines);
 * otherwise says exactly what to install.
 */
export function ensureChromium(): void {
  if (existsSync(chromiumPath)) return;
  if (process.getuid?.() === 0 && existsSync("/usr/bin/apt-get")) {
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
    for (const args of [["update"], ["install", "-y", "--no-install-recommends", "chromium"]]) {
      const result = spawnSync("apt-get", args, { stdio: "inherit", env });
      if (result.status !== 0) throw new Error(`apt-get ${args.join(" ")} failed (exit ${result.status})`);
    }
  }
  if (!existsSync(chromiumPath))
    throw new Error(`${chromiumPath} not found: install it with "apt-get install -y chromium"`);
}

export async function launchBrowser(): Promise<Browser> {
  ensureChromium();
  return chromium.launch({ executablePath: chromiumPath, headless: true, args: chromiumArgs });
}

/**
 * Opens a page at a fixed desktop size and records console errors and failed requests, so tests
 * can assert that the UI ran cleanly (a CSP violation shows up there too).
 */
export async function openPage(
  browser: Browser,
  url: string,
  viewport = { width: 1440, height: 900 },
): Promise<{ page: Page; problems: string[] }> {
  const context = await browser.newContext({ viewport, deviceScaleFactor: 1 });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console: ${message.text()}`);
  });
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("requestfailed", (request) => {
    const reason = request.failure()?.errorText ?? "";
    // The browser cancelling its own request as the page navigates (a favicon still loading on a
    // busy machine) is not a failure of the app; refused, reset or failed requests are.
    if (reason === "net::ERR_ABORTED") return;
    problems.push(`request failed: ${request.url()} ${reason}`);
  });
  await page.goto(url);
  return { page, problems };
}

/** Saves a full-page PNG to test-results/screenshots/<name>.png and returns its path. */
export async function saveScreenshot(page: Page, name: string): Promise<string> {
  mkdirSync(screenshotDir, { recursive: true });
  const file = path.join(screenshotDir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
