// Locates the llama.cpp source bundled inside the pinned node-llama-cpp package and materialises it
// (git clone of the bundle + node-llama-cpp's own patches) into native/llama-src/<release>.
// The prebuilt libraries carry those patches, so headers and tools built from here match them.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);

/** The folder of an installed package, found from its main entry (some packages do not export package.json). */
export function packageDir(name) {
  let dir = path.dirname(require.resolve(name));
  while (
    !existsSync(path.join(dir, "package.json")) ||
    JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8")).name !== name
  ) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`package ${name} not found`);
    dir = parent;
  }
  return dir;
}

export function nodeLlamaCppDir() {
  return packageDir("node-llama-cpp");
}

export function llamaRelease() {
  const info = JSON.parse(readFileSync(path.join(nodeLlamaCppDir(), "llama", "llama.cpp.info.json"), "utf8"));
  return info.tag;
}

/** Returns the patched source folder, creating it on first use. */
export function ensureLlamaSource({ log = console.error } = {}) {
  const release = llamaRelease();
  const dir = path.join(root, "native", "llama-src", release);
  const marker = path.join(dir, ".cwb-ready");
  if (existsSync(marker)) return dir;

  const llamaDir = path.join(nodeLlamaCppDir(), "llama");
  const bundle = path.join(llamaDir, "gitRelease.bundle");
  if (!existsSync(bundle)) throw new Error(`llama.cpp source bundle not found: ${bundle}`);
  const temp = `${dir}.tmp-${process.pid}`;
  rmSync(temp, { recursive: true, force: true });
  log(`[cwb] extracting llama.cpp ${release} source from ${bundle}`);
  execFileSync(
    "git",
    ["-c", "advice.detachedHead=false", "clone", "--quiet", "--no-hardlinks", bundle, temp],
    { stdio: ["ignore", "ignore", "inherit"] },
  );
  const patchesDir = path.join(llamaDir, "patches");
  const patches = existsSync(patchesDir)
    ? readdirSync(patchesDir)
        .filter((f) => f.endsWith(".diff"))
        .sort()
    : [];
  for (const patch of patches) {
    log(`[cwb] applying node-llama-cpp patch ${patch}`);
    execFileSync("git", ["apply", path.join(patchesDir, patch)], { cwd: temp, stdio: "inherit" });
  }
  writeFileSync(path.join(temp, ".cwb-ready"), JSON.stringify({ release, patches }) + "\n");
  rmSync(dir, { recursive: true, force: true });
  renameSync(temp, dir);
  return dir;
}
