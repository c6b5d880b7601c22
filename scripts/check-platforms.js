#!/usr/bin/env node
// npm run check:platforms [-- --lockfile FILE]: asks the registry for every platform-specific package
// in the lockfile (an entry with os or cpu: the prebuilt binaries of node-llama-cpp, esbuild, Tailwind,
// Electron's tools...) at its locked version, and fails naming each one the registry does not serve,
// or serves with another integrity. A lockfile entry for a version that was never published makes
// `npm ci` skip that platform's binary silently, so a Mac or Windows install would have no prebuilt
// llama.cpp; an entry without integrity was not written by npm from a real resolution.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** The registry npm itself uses here (it honours .npmrc and npm_config_registry). */
function npmRegistry() {
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const configured = execFileSync(npm, ["config", "get", "registry"], { encoding: "utf8" }).trim();
  return configured.endsWith("/") ? configured : `${configured}/`;
}

/** Lockfile entries that only install on some platforms; bundled copies come with their parent. */
export function platformEntries(lock) {
  return Object.entries(lock.packages)
    .filter(([key, entry]) => key !== "" && (entry.os || entry.cpu) && !entry.inBundle && !entry.link)
    .map(([key, entry]) => ({
      name: entry.name ?? key.slice(key.lastIndexOf("node_modules/") + "node_modules/".length),
      version: entry.version,
      integrity: entry.integrity ?? null,
      key,
    }));
}

/** Problems with one entry as the registry answers, or [] when it is served as locked. */
export async function checkEntry(registry, entry, fetchImpl = fetch) {
  const label = `${entry.name}@${entry.version} (${entry.key})`;
  if (!entry.integrity)
    return [`${label}: no integrity in the lockfile (not written by npm from a real resolution)`];
  const url = `${registry}${entry.name.replace("/", "%2f")}/${encodeURIComponent(entry.version)}`;
  let response;
  for (let attempt = 1; ; attempt++) {
    try {
      response = await fetchImpl(url, { headers: { accept: "application/json" } });
      if (response.status < 500 || attempt === 3) break;
    } catch (error) {
      if (attempt === 3) return [`${label}: the registry could not be asked (${error.message})`];
    }
    await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
  }
  if (response.status === 404) return [`${label}: not published (the registry answers 404)`];
  if (!response.ok) return [`${label}: the registry answered ${response.status}`];
  const manifest = await response.json();
  if (manifest.dist?.integrity !== entry.integrity) {
    return [
      `${label}: the registry's integrity ${manifest.dist?.integrity ?? "(none)"} differs from the lockfile's`,
    ];
  }
  return [];
}

async function main() {
  const { values } = parseArgs({ options: { lockfile: { type: "string" } } });
  const lockPath = path.resolve(values.lockfile ?? path.join(root, "package-lock.json"));
  const lock = JSON.parse(readFileSync(lockPath, "utf8"));
  const entries = platformEntries(lock);
  const registry = npmRegistry();
  const problems = [];
  const queue = [...entries];
  const workers = Array.from({ length: 12 }, async () => {
    for (let entry = queue.shift(); entry; entry = queue.shift())
      problems.push(...(await checkEntry(registry, entry)));
  });
  await Promise.all(workers);
  if (problems.length > 0) {
    console.error(
      `[check:platforms] ${lockPath}: ${problems.length} of ${entries.length} platform packages are not served as locked:`,
    );
    for (const problem of problems.sort()) console.error(`  ${problem}`);
    process.exit(1);
  }
  console.error(
    `[check:platforms] ${entries.length} platform packages in ${path.basename(lockPath)}: all served by ${registry} as locked`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
