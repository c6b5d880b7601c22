// Where the Electron binary is, if it is installed. Since Electron 41 the `electron` package has no
// install script: its binary is fetched from GitHub the first time `require("electron")` runs (or by
// `npx install-electron`). Machines that reach only the npm registry never get it, so every caller
// must cope with "not there" instead of letting require("electron") throw.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

const require = createRequire(import.meta.url);

/**
 * Judges an Electron install from what is on disk. Pure: callers pass the facts.
 * @param {{ packageDir: string | null, pathTxt: string | null, exists: (file: string) => boolean }} facts
 *   packageDir: node_modules/electron (null when the package is absent); pathTxt: the contents of
 *   its path.txt (written after a successful download; null when missing).
 * @returns {import("./electronBinary.js").ElectronLookup}
 */
export function judgeElectronInstall({ packageDir, pathTxt, exists }) {
  if (packageDir === null) return { ok: false, reason: "the electron package is not installed" };
  const relative = pathTxt?.trim();
  if (!relative) return { ok: false, reason: "the Electron binary has not been downloaded" };
  const binary = path.join(packageDir, "dist", relative);
  if (!exists(binary)) return { ok: false, reason: `the Electron binary ${binary} is missing` };
  return { ok: true, path: binary };
}

/**
 * What `npm start` runs: the Electron app through forge (which builds and watches everything itself)
 * when the binary is there; else a fresh build of the CLI and renderer, then the headless UI server
 * (which prints its own address).
 * @param {import("./electronBinary.js").ElectronLookup} electron
 */
export function chooseStartCommand(electron) {
  if (electron.ok)
    return { mode: "electron", prepare: [], command: ["electron-forge", "start"], notice: null };
  return {
    mode: "headless",
    prepare: [["npm", "run", "--silent", "build"]],
    command: ["node", "bin/cwb.js", "ui"],
    notice: `Electron is not available (${electron.reason}); serving the UI in your browser instead.`,
  };
}

function electronPackageDir() {
  try {
    return path.dirname(require.resolve("electron/package.json"));
  } catch {
    return null;
  }
}

function readPathTxt(packageDir) {
  const file = path.join(packageDir, "path.txt");
  return existsSync(file) ? readFileSync(file, "utf8") : null;
}

/** Looks at the installed package without triggering a download. */
export function electronBinaryPath() {
  const packageDir = electronPackageDir();
  return judgeElectronInstall({
    packageDir,
    pathTxt: packageDir && readPathTxt(packageDir),
    exists: existsSync,
  });
}

/**
 * Like electronBinaryPath, but when the package is there and the binary is not, runs the package's
 * own downloader once (quietly) and judges again; a failed download is reported in one line.
 */
export function ensureElectronBinary({ timeoutMs = 10 * 60_000 } = {}) {
  const first = electronBinaryPath();
  const packageDir = electronPackageDir();
  if (first.ok || packageDir === null) return first;
  console.error("[cwb start] downloading the Electron binary (once; about 100 MB) ...");
  const download = spawnSync(process.execPath, [path.join(packageDir, "install.js")], {
    encoding: "utf8",
    timeout: timeoutMs,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const second = electronBinaryPath();
  if (second.ok || download.status === 0) return second;
  const lines = `${download.stderr ?? ""}`.split("\n").map((line) => line.trim());
  const why =
    lines.find((line) => /error|failed|ENOTFOUND|ECONN/i.test(line)) ??
    `exit ${download.status ?? download.signal}`;
  return { ok: false, reason: `downloading the Electron binary failed: ${why}` };
}
