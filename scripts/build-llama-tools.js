#!/usr/bin/env node
// Builds llama.cpp's own command-line tools (llama-quantize, llama-imatrix, llama-perplexity,
// llama-bench) from the patched source bundled in node-llama-cpp, into a cache folder
// native/llama-tools/<release>/. Parity tests and benchmarks compare our engine against these.
// A finished build is reused; a build is done in a temp folder and renamed, so an interrupted
// build never looks finished.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ensureLlamaSource, llamaRelease } from "./llamaSource.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

export const llamaToolNames = ["llama-quantize", "llama-imatrix", "llama-perplexity", "llama-bench"];

/** Where the tools of the pinned release live once built. */
export function llamaToolsDir() {
  return path.join(root, "native", "llama-tools", llamaRelease());
}

/** Path of one tool binary, or undefined when the cache is not built. */
export function llamaToolPath(name) {
  const dir = llamaToolsDir();
  if (!existsSync(path.join(dir, ".cwb-ready"))) return undefined;
  const file = path.join(dir, "bin", process.platform === "win32" ? `${name}.exe` : name);
  return existsSync(file) ? file : undefined;
}

export function cmakeAvailable() {
  return spawnSync("cmake", ["--version"], { stdio: "ignore" }).status === 0;
}

/** Builds the four tools unless the cache holds them; returns the cache folder. */
export function buildLlamaTools({ log = console.error, jobs = Math.min(2, os.cpus().length) } = {}) {
  const dir = llamaToolsDir();
  const marker = path.join(dir, ".cwb-ready");
  if (existsSync(marker)) return dir;
  if (!cmakeAvailable())
    throw new Error("cmake is not installed: cannot build llama.cpp's tools (apt-get install cmake)");
  const src = ensureLlamaSource({ log });
  const temp = `${dir}.tmp-${process.pid}`;
  rmSync(temp, { recursive: true, force: true });
  mkdirSync(temp, { recursive: true });
  const started = Date.now();
  log(`[cwb] configuring llama.cpp ${llamaRelease()} tools in ${temp}`);
  execFileSync(
    "cmake",
    [
      "-S",
      src,
      "-B",
      temp,
      "-DCMAKE_BUILD_TYPE=Release",
      "-DGGML_NATIVE=ON",
      "-DLLAMA_OPENSSL=OFF",
      "-DBUILD_SHARED_LIBS=ON",
      "-DLLAMA_BUILD_TESTS=OFF",
      "-DLLAMA_BUILD_EXAMPLES=OFF",
      "-DLLAMA_BUILD_SERVER=OFF",
      // The binaries find their libraries next to them after the rename.
      "-DCMAKE_BUILD_RPATH_USE_ORIGIN=ON",
    ],
    { stdio: ["ignore", "ignore", "inherit"] },
  );
  log(`[cwb] building ${llamaToolNames.join(", ")} with -j${jobs}`);
  execFileSync(
    "cmake",
    ["--build", temp, "--config", "Release", "-j", String(jobs), "--target", ...llamaToolNames],
    {
      stdio: ["ignore", "ignore", "inherit"],
    },
  );
  writeFileSync(
    path.join(temp, ".cwb-ready"),
    JSON.stringify({ release: llamaRelease(), tools: llamaToolNames, builtAt: new Date().toISOString() }) +
      "\n",
  );
  rmSync(dir, { recursive: true, force: true });
  renameSync(temp, dir);
  log(
    `[cwb] built llama.cpp tools in ${((Date.now() - started) / 1000).toFixed(0)} s: ${path.join(dir, "bin")}`,
  );
  return dir;
}

/** What the cache was built from (release tag), for reports. */
export function llamaToolsInfo() {
  const marker = path.join(llamaToolsDir(), ".cwb-ready");
  return existsSync(marker) ? JSON.parse(readFileSync(marker, "utf8")) : undefined;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const dir = buildLlamaTools();
  for (const name of llamaToolNames) console.log(llamaToolPath(name) ?? `${name}: missing in ${dir}`);
}
