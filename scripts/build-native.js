// Builds the cwb_native addon against the llama.cpp headers bundled in node-llama-cpp (patched as
// node-llama-cpp patches them), once per llama.cpp library folder on this machine (CPU, Vulkan, CUDA,
// Metal: scripts/llamaBackends.js), each linked to that folder's libraries. At run time the worker
// loads node-llama-cpp's chosen build first and then the addon linked to the same folder, so the
// loader finds those files already mapped and nobody compiles CUDA. Writes backends.json beside the
// addons: which file goes with which folder (read by src/worker/native/loadAddon.ts).
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ensureLlamaSource } from "./llamaSource.js";
import { addonFileName, findBackendFolders, libllamaFile } from "./llamaBackends.js";
import { withProcessLock } from "./processLock.js";
import { checkRpathInstallNames } from "./machOInstallNames.js";
import { windowsImportLibrary } from "./peExports.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);
const releaseDir = path.join(root, "native", "build", "Release");

/** The three libraries the addon calls into, as linker inputs (see docs/native-platforms.md). */
function libraryFlags(binsDir) {
  const files = readdirSync(binsDir);
  const pick = (re) => {
    const found = files.find((f) => re.test(f));
    if (!found) throw new Error(`no library matching ${re} in ${binsDir}`);
    return found;
  };
  const llama = libllamaFile(binsDir);
  if (process.platform === "win32") {
    // The packages ship the DLLs without import libraries: make them from the DLLs' export tables.
    const dlls = [llama, pick(/^ggml(\.[a-z0-9]+)?\.v[\d.]+(\.[a-z0-9]+)?\.dll$/), pick(/^ggml-base\.dll$/)];
    // Outside native/build, which node-gyp rebuild empties before it links.
    const outDir = path.join(root, "native", "import-libs", path.basename(binsDir));
    return dlls.map((dll) =>
      windowsImportLibrary({ dll: path.join(binsDir, dll), outDir, machine: process.arch }),
    );
  }
  const ext = process.platform === "darwin" ? "dylib" : "so";
  const ggml = pick(new RegExp(`^libggml(\\.[a-z0-9]+)?\\.v[\\d.]+(\\.[a-z0-9]+)?\\.${ext}$`));
  const ggmlBase = pick(new RegExp(`^libggml-base\\.${ext}$`));
  // The addon records each dylib's install name; only @rpath/<file> resolves through its rpath.
  if (process.platform === "darwin")
    checkRpathInstallNames([llama, ggml, ggmlBase].map((f) => path.join(binsDir, f)));
  // macOS: full paths (the dylibs' install names are @rpath/..., resolved by the rpath below);
  // Linux: -l:<file> records the soname, found through the rpath.
  return [
    `-L${binsDir}`,
    ...[llama, ggml, ggmlBase].map((f) =>
      process.platform === "darwin" ? path.join(binsDir, f) : `-l:${f}`,
    ),
  ];
}

/** The folder's path from the addon's own folder (forward slashes, as rpaths spell it). */
function relativeBins(folder) {
  return path.relative(releaseDir, folder.binsDir).split(path.sep).join("/");
}

/** backends.gypi: one loadable module per folder, addon.cpp linked with the shared core library. */
function writeBackendTargets(folders) {
  const targets = [];
  for (const folder of folders) {
    targets.push({
      target_name: `cwb_native_${folder.id.replace(/[^a-zA-Z0-9]/g, "_")}`,
      product_name: path.basename(addonFileName(folder.id), ".node"),
      sources: ["src/addon.cpp"],
      dependencies: ["cwb_native_core"],
      libraries: libraryFlags(folder.binsDir),
      // Relative to the addon, so a packaged app (both unpacked beside each other) finds them too.
      conditions: [
        [
          "OS=='mac'",
          { xcode_settings: { OTHER_LDFLAGS: [`-Wl,-rpath,@loader_path/${relativeBins(folder)}`] } },
        ],
        ["OS=='linux'", { ldflags: [`-Wl,-rpath,'$$ORIGIN/${relativeBins(folder)}'`] }],
      ],
    });
  }
  const file = path.join(root, "native", "backends.gypi");
  writeFileSync(`${file}.tmp`, `${JSON.stringify({ targets }, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
  return targets;
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

/**
 * The model architectures the bundled llama.cpp loads (its LLM_ARCH_NAMES table), written beside the
 * addons so the app process can check a model without loading llama.cpp.
 */
function writeArchitectures(llamaSrc) {
  const source = readFileSync(path.join(llamaSrc, "src", "llama-arch.cpp"), "utf8");
  const table = /LLM_ARCH_NAMES\s*=\s*\{([\s\S]*?)\n\};/.exec(source)?.[1];
  if (!table) throw new Error(`no LLM_ARCH_NAMES table in ${path.join(llamaSrc, "src", "llama-arch.cpp")}`);
  const architectures = [...table.matchAll(/\{\s*LLM_ARCH_[A-Z0-9_]+\s*,\s*"([^"]+)"\s*\}/g)]
    .map((match) => match[1])
    .filter((name) => name !== "(unknown)");
  const file = path.join(releaseDir, "architectures.json");
  writeFileSync(`${file}.tmp`, `${JSON.stringify({ architectures }, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
}

/**
 * What the build folder was configured with. When it is unchanged, `node-gyp build` (make) recompiles
 * only what changed since, instead of a `rebuild` from scratch: `npm test` right after `npm ci` (whose
 * postinstall built the addon) then costs seconds, not minutes.
 */
const configureStamp = path.join(root, "native", "build", "cwb-configure.json");

function buildNativeUnlocked({ quiet = false, clean = false }) {
  const llamaSrc = ensureLlamaSource();
  const folders = findBackendFolders();
  const targets = writeBackendTargets(folders);
  const gyp = require.resolve("node-gyp/bin/node-gyp.js");
  const verbosity = quiet ? ["--silent"] : [];
  const configuration = JSON.stringify({ targets, llamaSrc, nodeGyp: nodeGypArgs(), node: process.version });
  const configured =
    !clean &&
    existsSync(path.join(root, "native", "build", "Makefile")) &&
    existsSync(configureStamp) &&
    readFileSync(configureStamp, "utf8") === configuration;
  const directory = ["--directory", path.join(root, "native")];
  execFileSync(
    process.execPath,
    configured
      ? [gyp, "build", "--release", "--jobs", "max", ...verbosity, ...directory]
      : [
          gyp,
          "rebuild",
          "--release",
          "--jobs",
          "max",
          ...verbosity,
          ...nodeGypArgs(),
          ...directory,
          "--",
          `-Dllama_src=${llamaSrc}`,
        ],
    { stdio: quiet ? ["ignore", "ignore", "inherit"] : "inherit" },
  );
  writeFileSync(`${configureStamp}.tmp`, configuration);
  renameSync(`${configureStamp}.tmp`, configureStamp);
  const manifest = folders.map((folder) => {
    const addon = addonFileName(folder.id);
    if (!existsSync(path.join(releaseDir, addon)))
      throw new Error(`node-gyp did not write ${addon} in ${releaseDir}`);
    // No absolute paths: the list ships inside the packaged app.
    return {
      id: folder.id,
      gpu: folder.gpu,
      buildType: folder.buildType,
      release: folder.release,
      libraryFolder: folder.libraryFolder,
      cmakeOptions: folder.cmakeOptions,
      addon,
    };
  });
  writeArchitectures(llamaSrc);
  const file = path.join(releaseDir, "backends.json");
  writeFileSync(`${file}.tmp`, `${JSON.stringify({ backends: manifest }, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
  return manifest.map((entry) => path.join(releaseDir, entry.addon));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const started = Date.now();
  const files = buildNative({
    quiet: process.argv.includes("--quiet"),
    clean: process.argv.includes("--clean"),
  });
  const names = files.map((file) => path.relative(root, file)).join(", ");
  console.error(`[cwb] built ${names} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
