#!/usr/bin/env node
// Builds llama.cpp's own command-line tools (llama-quantize, llama-imatrix, llama-perplexity,
// llama-bench, llama-gguf-split) from the patched source bundled in node-llama-cpp, into a cache folder
// native/llama-tools/<release>/. Parity tests and benchmarks compare our engine against these.
// A finished build is reused; a build is done in a temp folder and renamed, so an interrupted
// build never looks finished.
import { execFileSync, spawnSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  symlinkSync,
  renameSync,
  rmSync,
  writeFileSync,
  readFileSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { withProcessLock } from "./processLock.js";
import { ensureLlamaSource, llamaRelease } from "./llamaSource.js";
import { prebuiltCpuBinsDir } from "./llamaBackends.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

export const llamaToolNames = [
  "llama-quantize",
  "llama-imatrix",
  "llama-perplexity",
  "llama-bench",
  "llama-gguf-split",
];

/** A cache folder is complete when its marker exists and it holds every tool listed above. */
function cacheComplete(dir) {
  if (!existsSync(path.join(dir, ".cwb-ready"))) return false;
  const exe = process.platform === "win32" ? ".exe" : "";
  return llamaToolNames.every((name) => existsSync(path.join(dir, "bin", `${name}${exe}`)));
}

/**
 * Build flavours. "release" (built from the whole source: the libraries too) uses the
 * cmake options node-llama-cpp's CI sets for the prebuilt libraries we run on
 * (node-llama-cpp/dist/bindings/utils/compileLLamaCpp.js, ciMode): no -march=native, no OpenMP
 * (ggml's own thread pool), dynamically loaded backends. The prebuilt package ships one
 * libggml-cpu-<family>.so per CPU family (GGML_CPU_ALL_VARIANTS); building all 14 takes far longer
 * than the tools, so only the family the prebuilt libraries load on this machine is compiled, with
 * that variant's instruction-set options from ggml/src/CMakeLists.txt (the same compiler flags; all
 * variants when the family cannot be found). The compiler still differs from the package's.
 * "native" is llama.cpp's default local build (-march=native, OpenMP): informational only.
 * "prebuilt" compiles only the tools' own sources and links them to node-llama-cpp's prebuilt library
 * binaries, the ones our addon runs (see linkPrebuiltTools; Linux only, elsewhere it is "release"). The
 * tests use it: its outputs are llama.cpp's tools on our libraries, and it takes seconds instead of
 * minutes. Measured on an AMD EPYC (zen4 variant): the prebuilt libggml-cpu-zen4.so (GCC 11.4)
 * processes F16 prompts ~1.65x slower than the same source and cmake options compiled here (GCC
 * 12.2); only this flavour makes a timing ratio measure our call path alone, so the parity benchmarks
 * (bench/parity-*.ts) time against it.
 */
export const llamaToolFlavours = ["release", "native", "prebuilt"];

const commonCmakeOptions = [
  "-DCMAKE_BUILD_TYPE=Release",
  "-DLLAMA_OPENSSL=OFF",
  "-DLLAMA_BUILD_TESTS=OFF",
  "-DLLAMA_BUILD_EXAMPLES=OFF",
  "-DLLAMA_BUILD_SERVER=OFF",
  "-DBUILD_SHARED_LIBS=ON",
  // The binaries find their libraries next to them after the rename.
  "-DCMAKE_BUILD_RPATH_USE_ORIGIN=ON",
];

/** node-llama-cpp's ciMode options for an x64/arm64 Linux/macOS CPU build (see above). */
const releaseCmakeOptions = [
  "-DGGML_BUILD_NUMBER=1",
  "-DGGML_METAL=OFF",
  "-DGGML_CCACHE=OFF",
  "-DLLAMA_CURL=OFF",
  "-DLLAMA_HTTPLIB=OFF",
  "-DLLAMA_BUILD_BORINGSSL=OFF",
  "-DGGML_OPENMP=OFF",
  "-DGGML_NATIVE=OFF",
  "-DGGML_BACKEND_DL=ON",
];

const x86Features = [
  "SSE42",
  "AVX",
  "AVX2",
  "BMI2",
  "AVX_VNNI",
  "FMA",
  "F16C",
  "AVX512",
  "AVX512_VBMI",
].concat(["AVX512_VNNI", "AVX512_BF16", "AMX_TILE", "AMX_INT8", "AMX_BF16"]);

/**
 * cmake options compiling the single CPU backend exactly as the GGML_CPU_ALL_VARIANTS variant `name`
 * (its `ggml_add_cpu_backend_variant(name FEATURES...)` line), or undefined when it is not an x86
 * variant listed there.
 */
function cpuVariantCmakeOptions(src, name) {
  const cmake = readFileSync(path.join(src, "ggml", "src", "CMakeLists.txt"), "utf8");
  const m = new RegExp(
    `ggml_add_cpu_backend_variant\\(\\s*${name.replace(/[^\w.]/g, "")}(\\s[^)]*)?\\)`,
  ).exec(cmake);
  if (!m) return undefined;
  const on = (m[1] ?? "").trim().split(/\s+/).filter(Boolean);
  if (!on.every((f) => x86Features.includes(f))) return undefined;
  return x86Features.map((f) => `-DGGML_${f}=${on.includes(f) ? "ON" : "OFF"}`);
}

const nativeCmakeOptions = ["-DGGML_NATIVE=ON"];

function checkFlavour(flavour) {
  if (!llamaToolFlavours.includes(flavour)) throw new Error(`unknown llama tools flavour: ${flavour}`);
}

/** Where the tools of the pinned release live once built. */
export function llamaToolsDir(flavour = "release") {
  checkFlavour(flavour);
  const release = llamaRelease();
  return path.join(root, "native", "llama-tools", flavour === "release" ? release : `${release}-${flavour}`);
}

/** Path of one tool binary, or undefined when the cache is not built. */
export function llamaToolPath(name, flavour = "release") {
  if (flavour === "prebuilt" && process.platform !== "linux") return llamaToolPath(name, "release");
  const dir = llamaToolsDir(flavour);
  if (!existsSync(path.join(dir, ".cwb-ready"))) return undefined;
  const file = path.join(dir, "bin", process.platform === "win32" ? `${name}.exe` : name);
  return existsSync(file) ? file : undefined;
}

export function cmakeAvailable() {
  return spawnSync("cmake", ["--version"], { stdio: "ignore" }).status === 0;
}

/**
 * The libggml-cpu-<family>.so node-llama-cpp's prebuilt libraries load on this machine (Linux: read
 * from /proc/self/maps of a process that initialised them), or undefined when unknown.
 */
export function prebuiltCpuVariant() {
  if (process.platform !== "linux") return undefined;
  const script = [
    'import { getLlama } from "node-llama-cpp";',
    'import { readFileSync } from "node:fs";',
    'await getLlama({ gpu: false, build: "never", logLevel: "error", progressLogs: false });',
    'const m = /libggml-cpu-([A-Za-z0-9_.]+)\\.so/.exec(readFileSync("/proc/self/maps", "utf8"));',
    'console.log(m ? m[1] : "");',
  ].join("\n");
  // Run from a file inside the repository so node-llama-cpp resolves (and its binary self-test works).
  const file = path.join(root, "native", `.cwb-detect-cpu-${process.pid}.mjs`);
  writeFileSync(file, script);
  try {
    const result = spawnSync(process.execPath, [file], { encoding: "utf8", cwd: root });
    const name = result.status === 0 ? result.stdout.trim() : "";
    return name || undefined;
  } finally {
    rmSync(file, { force: true });
  }
}

/** The source folder of a tool under tools/ ("llama-quantize" is tools/quantize, "llama-bench" itself). */
function toolSourceDir(src, name) {
  const own = path.join(src, "tools", name);
  return existsSync(own) ? own : path.join(src, "tools", name.replace(/^llama-/, ""));
}

/**
 * The "prebuilt" flavour: llama.cpp's own tool sources (tools/<tool>/*.cpp) compiled here and linked
 * to node-llama-cpp's prebuilt libraries (libllama, libllama-common, libggml, libggml-base), in a
 * folder of links to those libraries under the sonames they carry, so the tools run the very library
 * binaries our addon runs. Only the tools' own files are compiled (seconds: about 50 s for the five
 * on a busy 2-core machine, against 8 minutes for the release build's libraries), which is why the
 * tests use this flavour. ggml loads the CPU backend variants from the same folder.
 */
export function linkPrebuiltTools({ log = console.error } = {}) {
  const dir = llamaToolsDir("prebuilt");
  if (cacheComplete(dir)) return dir;
  const src = ensureLlamaSource({ log });
  mkdirSync(path.dirname(dir), { recursive: true });
  withProcessLock(`${dir}.lock`, "compiling llama.cpp's tools (prebuilt)", () => {
    if (!cacheComplete(dir)) compilePrebuiltTools(src, dir, log);
  });
  return dir;
}

function compilePrebuiltTools(src, dir, log) {
  const started = Date.now();
  const bins = prebuiltCpuBinsDir();
  const temp = `${dir}.tmp-${process.pid}`;
  rmSync(temp, { recursive: true, force: true });
  const bin = path.join(temp, "bin");
  mkdirSync(bin, { recursive: true });
  const files = readdirSync(bins);
  for (const file of files) symlinkSync(path.join(bins, file), path.join(bin, file));
  // Unversioned names for the linker (-lllama, -lggml); the executables record the sonames.
  const aliases = [
    ["libllama.so", /^libllama\.v[\d.]+\.so$/],
    ["libggml.so", /^libggml\.v[\d.]+\.so$/],
  ];
  for (const [alias, pattern] of aliases) {
    const target = files.find((f) => pattern.test(f));
    if (!target) throw new Error(`prebuilt libraries: nothing matches ${pattern} in ${bins}`);
    if (!files.includes(alias)) symlinkSync(path.join(bins, target), path.join(bin, alias));
  }
  for (const name of llamaToolNames) {
    log(`[cwb] compiling ${name} against the prebuilt libraries`);
    compileAgainstPrebuilt(src, toolSourceDir(src, name), bin, path.join(bin, name));
  }
  writeFileSync(
    path.join(temp, ".cwb-ready"),
    JSON.stringify({
      release: llamaRelease(),
      flavour: "prebuilt",
      tools: llamaToolNames,
      libraries: bins,
      compiler: process.env.CXX || "c++",
      builtAt: new Date().toISOString(),
    }) + "\n",
  );
  rmSync(dir, { recursive: true, force: true });
  renameSync(temp, dir);
  log(
    `[cwb] compiled llama.cpp tools (prebuilt) in ${((Date.now() - started) / 1000).toFixed(0)} s: ${path.join(dir, "bin")}`,
  );
}

/** Compiles one tool folder's .cpp files into `output`, linked to the prebuilt libraries in `bin`. */
function compileAgainstPrebuilt(src, toolDir, bin, output) {
  const include = ["include", "ggml/include", "common", "vendor"].map((d) => `-I${path.join(src, d)}`);
  const sources = readdirSync(toolDir)
    .filter((f) => f.endsWith(".cpp"))
    .map((f) => path.join(toolDir, f));
  execFileSync(
    process.env.CXX || "c++",
    [
      "-std=c++17",
      "-O2",
      "-pthread",
      ...include,
      `-I${toolDir}`,
      ...sources,
      `-L${bin}`,
      "-lllama-common",
      "-lllama",
      "-lggml",
      "-lggml-base",
      "-Wl,-rpath,$ORIGIN",
      "-o",
      output,
    ],
    { stdio: ["ignore", "ignore", "inherit"] },
  );
}

/**
 * Example programs (examples/<name>/) compiled on demand into the prebuilt tools' folder, next to the
 * five tools; the five's cache marker is left alone, so adding one never invalidates it.
 */
export const llamaExtraToolNames = ["llama-speculative-simple"];

/** The path of an extra prebuilt tool, compiled now (seconds) when missing. Linux only. */
export function prebuiltExtraToolPath(name, { log = console.error } = {}) {
  if (!llamaExtraToolNames.includes(name)) throw new Error(`unknown extra llama tool: ${name}`);
  if (process.platform !== "linux") throw new Error(`${name}: the prebuilt flavour is Linux only`);
  const dir = linkPrebuiltTools({ log });
  const bin = path.join(dir, "bin");
  const file = path.join(bin, name);
  if (existsSync(file)) return file;
  const src = ensureLlamaSource({ log });
  withProcessLock(`${dir}.lock`, `compiling ${name} (prebuilt)`, () => {
    if (existsSync(file)) return;
    log(`[cwb] compiling ${name} against the prebuilt libraries`);
    const temp = `${file}.tmp-${process.pid}`;
    compileAgainstPrebuilt(src, path.join(src, "examples", name.replace(/^llama-/, "")), bin, temp);
    renameSync(temp, file);
  });
  return file;
}

/** Builds the tools unless the cache holds them; returns the cache folder. */
export function buildLlamaTools({
  log = console.error,
  jobs = Math.min(2, os.cpus().length),
  flavour = "release",
} = {}) {
  // The sonames linked below are Linux ones; elsewhere "prebuilt" falls back to the release build.
  if (flavour === "prebuilt") {
    return process.platform === "linux" ? linkPrebuiltTools({ log }) : buildLlamaTools({ log, jobs });
  }
  const dir = llamaToolsDir(flavour);
  // A cache built before a tool was added to the list is completed (the build folder is reused).
  if (cacheComplete(dir)) return dir;
  if (!cmakeAvailable())
    throw new Error("cmake is not installed: cannot build llama.cpp's tools (apt-get install cmake)");
  const src = ensureLlamaSource({ log });
  // cmake build folders cannot be moved: the build happens in a persistent folder next to the cache
  // (an interrupted build resumes there), and the finished bin/ is copied into a temp folder renamed
  // into place, so an interrupted build never looks finished. A lock file keeps two processes (test
  // workers) from building at once; the second waits and then uses the first one's result.
  const build = `${dir}.build`;
  mkdirSync(build, { recursive: true });
  withProcessLock(path.join(build, ".cwb-lock"), `building llama.cpp's tools (${flavour})`, () => {
    if (!cacheComplete(dir)) buildInto(build, src, dir, flavour, jobs, log);
  });
  return dir;
}

function buildInto(build, src, dir, flavour, jobs, log) {
  const started = Date.now();
  const options = [
    ...commonCmakeOptions,
    ...(flavour === "release" ? releaseCmakeOptions : nativeCmakeOptions),
  ];
  let cpuVariant;
  if (flavour === "release") {
    cpuVariant = prebuiltCpuVariant();
    const variantOptions = cpuVariant ? cpuVariantCmakeOptions(src, cpuVariant) : undefined;
    if (variantOptions) options.push("-DGGML_CPU_ALL_VARIANTS=OFF", ...variantOptions);
    else {
      cpuVariant = undefined;
      options.push("-DGGML_CPU_ALL_VARIANTS=ON");
    }
  }
  // With GGML_BACKEND_DL nothing links to the CPU backend: name it (with GGML_CPU_ALL_VARIANTS every
  // variant is a dependency of libggml and gets built anyway).
  const cpuTarget = flavour === "release" && !cpuVariant ? [] : ["ggml-cpu"];
  log(`[cwb] configuring llama.cpp ${llamaRelease()} tools (${flavour}) in ${build}`);
  execFileSync("cmake", ["-S", src, "-B", build, ...options], { stdio: ["ignore", "ignore", "inherit"] });
  log(`[cwb] building ${llamaToolNames.join(", ")} with -j${jobs}`);
  execFileSync(
    "cmake",
    [
      "--build",
      build,
      "--config",
      "Release",
      "-j",
      String(jobs),
      "--target",
      ...llamaToolNames,
      ...cpuTarget,
    ],
    { stdio: ["ignore", "ignore", "inherit"] },
  );
  const temp = `${dir}.tmp-${process.pid}`;
  rmSync(temp, { recursive: true, force: true });
  mkdirSync(temp, { recursive: true });
  cpSync(path.join(build, "bin"), path.join(temp, "bin"), {
    recursive: true,
    verbatimSymlinks: true,
    // CPU backend variants left over from an earlier configuration of the build folder would be
    // loaded by ggml_backend_load_all next to the one built now.
    filter: (from) => !(cpuVariant && /libggml-cpu-[^/]*$/.test(from)),
  });
  writeFileSync(
    path.join(temp, ".cwb-ready"),
    JSON.stringify({
      release: llamaRelease(),
      flavour,
      tools: llamaToolNames,
      cpuVariant: cpuVariant ?? null,
      cmakeOptions: options,
      builtAt: new Date().toISOString(),
    }) + "\n",
  );
  rmSync(dir, { recursive: true, force: true });
  renameSync(temp, dir);
  log(
    `[cwb] built llama.cpp tools (${flavour}) in ${((Date.now() - started) / 1000).toFixed(0)} s: ${path.join(dir, "bin")}`,
  );
}

/** What the cache was built from (release tag), for reports. */
export function llamaToolsInfo(flavour = "release") {
  const marker = path.join(llamaToolsDir(flavour), ".cwb-ready");
  return existsSync(marker) ? JSON.parse(readFileSync(marker, "utf8")) : undefined;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  // node scripts/build-llama-tools.js [release|native|all]
  const which = process.argv[2] ?? "release";
  for (const flavour of which === "all" ? llamaToolFlavours : [which]) {
    const dir = buildLlamaTools({ flavour });
    for (const name of llamaToolNames)
      console.log(llamaToolPath(name, flavour) ?? `${name}: missing in ${dir}`);
  }
}
