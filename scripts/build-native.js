#!/usr/bin/env node
// Builds the cwb_native addon against the llama.cpp headers bundled in node-llama-cpp (patched as
// node-llama-cpp patches them) and links it to the prebuilt llama/ggml libraries. At run time the
// worker loads node-llama-cpp's chosen backend first, so the same sonames bind to that build
// (CPU, CUDA, Vulkan or Metal) and nobody compiles CUDA.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ensureLlamaSource, prebuiltCpuBinsDir } from "./llamaSource.js";
import { withProcessLock } from "./processLock.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);

function libraryFlags(binsDir) {
  const files = readdirSync(binsDir);
  const pick = (re) => {
    const found = files.find((f) => re.test(f));
    if (!found) throw new Error(`no library matching ${re} in ${binsDir}`);
    return found;
  };
  if (process.platform === "win32") {
    return [pick(/^llama.*\.lib$/), pick(/^ggml\.lib$|^ggml\..*\.lib$/), pick(/^ggml-base\.lib$/)].map((f) =>
      path.join(binsDir, f),
    );
  }
  const ext = process.platform === "darwin" ? "dylib" : "so";
  const llama = pick(new RegExp(`^libllama(\\.v[\\d.]+)?\\.${ext}$`));
  const ggml = pick(new RegExp(`^libggml(\\.v[\\d.]+)?\\.${ext}$`));
  const ggmlBase = pick(new RegExp(`^libggml-base\\.${ext}$`));
  return [
    `-L${binsDir}`,
    ...[llama, ggml, ggmlBase].map((f) =>
      process.platform === "darwin" ? path.join(binsDir, f) : `-l:${f}`,
    ),
  ];
}

function nodeGypArgs() {
  const args = [];
  const configured = process.env.npm_config_nodedir;
  if (configured) args.push(`--nodedir=${configured}`);
  // Debian's nodejs ships its headers; using them avoids a header download on offline machines.
  else if (existsSync("/usr/include/node/node_api.h") && process.execPath.startsWith("/usr/"))
    args.push("--nodedir=/usr");
  return args;
}

export function buildNative(options = {}) {
  return withProcessLock(path.join(root, "native", ".build.lock"), "building the native addon", () =>
    buildNativeUnlocked(options),
  );
}

function buildNativeUnlocked({ quiet = false }) {
  const llamaSrc = ensureLlamaSource();
  const binsDir = prebuiltCpuBinsDir();
  const gyp = require.resolve("node-gyp/bin/node-gyp.js");
  const defines = [
    `-Dllama_src=${llamaSrc}`,
    `-Dllama_bins=${binsDir}`,
    `-Dllama_libs=${libraryFlags(binsDir).join(" ")}`,
  ];
  const jobs = ["--jobs", "max"];
  const verbosity = quiet ? ["--silent"] : [];
  execFileSync(
    process.execPath,
    [
      gyp,
      "rebuild",
      "--release",
      ...jobs,
      ...verbosity,
      ...nodeGypArgs(),
      "--directory",
      path.join(root, "native"),
      "--",
      ...defines,
    ],
    {
      stdio: quiet ? ["ignore", "ignore", "inherit"] : "inherit",
    },
  );
  return path.join(root, "native", "build", "Release", "cwb_native.node");
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const started = Date.now();
  const out = buildNative({ quiet: process.argv.includes("--quiet") });
  console.error(`[cwb] built ${path.relative(root, out)} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
