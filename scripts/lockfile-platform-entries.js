#!/usr/bin/env node
// Adds package-lock.json entries for other platforms' optional binary packages when the registry
// this lockfile was written against does not serve them (a mirror that carries only this machine's
// platform). Without the entries `npm ci` refuses everywhere ("Missing: ... from lock file"); with
// them every machine skips the foreign ones by os/cpu, exactly as with a complete lockfile.
// The os/cpu of each package comes from its name, following its publisher's naming scheme.
// Idempotent: entries already present are left alone. Usage: node scripts/lockfile-platform-entries.js
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const lockPath = path.join(root, "package-lock.json");

/** Package → [os (null: any), cpu, the lockfile key of the package that lists it as optional]. */
const platformPackages = {
  "@tailwindcss/oxide-android-arm64": [["android"], ["arm64"], "node_modules/@tailwindcss/oxide"],
  "@tailwindcss/oxide-darwin-arm64": [["darwin"], ["arm64"], "node_modules/@tailwindcss/oxide"],
  "@tailwindcss/oxide-darwin-x64": [["darwin"], ["x64"], "node_modules/@tailwindcss/oxide"],
  "@tailwindcss/oxide-freebsd-x64": [["freebsd"], ["x64"], "node_modules/@tailwindcss/oxide"],
  "@tailwindcss/oxide-linux-arm-gnueabihf": [["linux"], ["arm"], "node_modules/@tailwindcss/oxide"],
  "@tailwindcss/oxide-wasm32-wasi": [null, ["wasm32"], "node_modules/@tailwindcss/oxide"],
  "@tailwindcss/oxide-win32-arm64-msvc": [["win32"], ["arm64"], "node_modules/@tailwindcss/oxide"],
  "@tailwindcss/oxide-win32-x64-msvc": [["win32"], ["x64"], "node_modules/@tailwindcss/oxide"],
  "@node-llama-cpp/linux-riscv64": [["linux"], ["riscv64"], "node_modules/node-llama-cpp"],
  "@node-llama-cpp/mac-arm64-metal": [["darwin"], ["arm64"], "node_modules/node-llama-cpp"],
  "@node-llama-cpp/mac-x64": [["darwin"], ["x64"], "node_modules/node-llama-cpp"],
  "@node-llama-cpp/win-arm64": [["win32"], ["arm64"], "node_modules/node-llama-cpp"],
  "@node-llama-cpp/win-x64": [["win32"], ["x64"], "node_modules/node-llama-cpp"],
  "@node-llama-cpp/win-x64-cuda": [["win32"], ["x64"], "node_modules/node-llama-cpp"],
  "@node-llama-cpp/win-x64-cuda-ext": [["win32"], ["x64"], "node_modules/node-llama-cpp"],
  "@node-llama-cpp/win-x64-vulkan": [["win32"], ["x64"], "node_modules/node-llama-cpp"],
};

const lock = JSON.parse(readFileSync(lockPath, "utf8"));
const packages = lock.packages;
const added = [];
for (const [name, [os, cpu, parentKey]] of Object.entries(platformPackages)) {
  const key = `node_modules/${name}`;
  const parent = packages[parentKey];
  const version = parent?.optionalDependencies?.[name];
  if (packages[key] || !version) continue;
  // A sibling from the same publisher (present because it serves this platform) gives license/engines.
  const scope = `node_modules/${name.split("/")[0]}/`;
  const sibling = Object.entries(packages).find(
    ([other, entry]) => other.startsWith(scope) && entry.optional && entry.cpu,
  )?.[1];
  packages[key] = {
    version,
    ...(cpu ? { cpu } : {}),
    ...(parent.dev ? { dev: true } : {}),
    license: sibling?.license ?? parent.license,
    optional: true,
    ...(os ? { os } : {}),
    ...(sibling?.engines ? { engines: sibling.engines } : {}),
  };
  added.push(`${name}@${version}`);
}

if (added.length === 0) {
  console.error("[lockfile] nothing to add");
} else {
  // npm orders package keys with localeCompare("en"), the root ("") first.
  const sorted = Object.keys(packages).sort((a, b) =>
    a === "" ? -1 : b === "" ? 1 : a.localeCompare(b, "en"),
  );
  lock.packages = Object.fromEntries(sorted.map((key) => [key, packages[key]]));
  const temp = `${lockPath}.tmp-${process.pid}`;
  writeFileSync(temp, `${JSON.stringify(lock, null, 2)}\n`);
  renameSync(temp, lockPath);
  console.error(`[lockfile] added ${added.length}: ${added.join(", ")}`);
}
