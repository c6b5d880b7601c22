#!/usr/bin/env node
// Runs after `npm install` / `npm ci`. Each step is a small function so owners can add theirs
// without touching the others; a step throws to fail the install, or logs and returns to carry on.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { electronBinaryPath } from "./electronBinary.js";
import { buildNative } from "./build-native.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

function log(message) {
  console.error(`[cwb postinstall] ${message}`);
}

/** The Electron binary is optional (fetched lazily from GitHub); this only reports, never downloads. */
function reportElectron() {
  const binary = electronBinaryPath();
  if (binary.ok) log(`Electron binary present: ${binary.path}`);
  else
    log(
      `Electron binary not present (${binary.reason}); \`npm start\` tries to download it, else serves the UI to a browser.`,
    );
}

/** The cwb_native addon, once per llama.cpp build on this machine, against the bundled headers. */
function buildNativeAddon() {
  const started = Date.now();
  const files = buildNative({ quiet: true });
  const names = files.map((file) => path.relative(root, file)).join(", ");
  log(`built ${names} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

/** bin/cwb.js runs the compiled CLI, so compile src/{shared,core,worker,headless} to dist/node. */
function buildNodeSources() {
  const tsc = path.join(root, "node_modules", "typescript", "bin", "tsc");
  if (!existsSync(tsc)) {
    log("typescript is not installed (dev dependencies omitted); not compiling the CLI");
    return;
  }
  const result = spawnSync(process.execPath, [tsc, "-p", "tsconfig.node.json"], {
    cwd: root,
    stdio: "inherit",
  });
  const cli = path.join(root, "dist", "node", "headless", "cli", "main.js");
  if (result.status === 0) return;
  // Type errors still emit JavaScript; only a missing CLI entry makes the install unusable.
  if (!existsSync(cli))
    throw new Error(`tsc -p tsconfig.node.json failed (exit ${result.status}) and ${cli} was not written`);
  log(`tsc -p tsconfig.node.json reported errors (exit ${result.status}); the CLI was still emitted`);
}

/** The UI that `cwb serve` / `cwb ui` serve (the desktop app bundles its own through forge). */
function buildRenderer() {
  const vite = path.join(root, "node_modules", "vite", "bin", "vite.js");
  if (!existsSync(vite)) {
    log("vite is not installed (dev dependencies omitted); not building the browser UI");
    return;
  }
  const result = spawnSync(
    process.execPath,
    [vite, "build", "--config", "vite.renderer.config.ts", "--logLevel", "warn"],
    {
      cwd: root,
      stdio: "inherit",
    },
  );
  if (result.status !== 0) throw new Error(`vite build failed (exit ${result.status})`);
}

const steps = [reportElectron, buildNativeAddon, buildNodeSources, buildRenderer];

for (const step of steps) {
  try {
    step();
  } catch (error) {
    log(`${step.name} failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
