// The llama.cpp library folders on this machine that the addon can bind to: node-llama-cpp's
// prebuilt packages for this platform and architecture (CPU, CUDA, Vulkan, Metal), each described
// by the _nlcBuildMetadata.json node-llama-cpp writes next to its binaries. The addon is linked once
// per folder, because each build names its libraries differently (libllama.v0.4.0.so against
// libllama.vulkan.v0.4.0.so): an addon linked to one would load a second libllama beside another.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { nodeLlamaCppDir } from "./llamaSource.js";

/**
 * @typedef {object} LlamaBackendFolder
 * @property {string} id        folder name, unique per machine (e.g. "linux-x64-vulkan")
 * @property {false | string} gpu  node-llama-cpp's GPU type of the build (false: CPU only)
 * @property {"prebuilt" | "localBuild"} buildType
 * @property {string} binsDir   absolute folder of the library files
 * @property {string} libraryFolder the folder's last path parts, as checked against the mapped files
 * @property {string} release   llama.cpp release the binaries were built from
 * @property {Record<string, string> | null} cmakeOptions a local build's custom cmake options
 */

/** node-llama-cpp's platform names for the folders it publishes. */
function nodeLlamaCppPlatform() {
  return { darwin: "mac", win32: "win", linux: "linux" }[process.platform] ?? process.platform;
}

/** The folder's libllama (the file the addon links to), or undefined when the folder has none. */
export function libllamaFile(binsDir) {
  // Prebuilt: libllama.v0.4.0.so, libllama.vulkan.v0.4.0.so; a local build adds its options' hash
  // (libllama.v0.4.0.3h2p6335.so).
  const pattern =
    /^(lib)?llama(\.[a-z0-9]+)?\.v[\d.]+(\.[a-z0-9]+)?\.(so|dylib|dll)$|^(lib)?llama\.(so|dylib|dll)$/;
  return readdirSync(binsDir).find((file) => pattern.test(file));
}

function readMetadata(binsDir) {
  const file = path.join(binsDir, "_nlcBuildMetadata.json");
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, "utf8")).buildOptions;
}

/** Every prebuilt folder for this platform and architecture, CPU first. */
export function findBackendFolders() {
  const scopeDir = path.join(path.dirname(nodeLlamaCppDir()), "@node-llama-cpp");
  const packages = existsSync(scopeDir) ? readdirSync(scopeDir) : [];
  /** @type {LlamaBackendFolder[]} */
  const folders = [];
  for (const name of packages) {
    const binsRoot = path.join(scopeDir, name, "bins");
    if (!existsSync(binsRoot)) continue;
    for (const id of readdirSync(binsRoot)) {
      const binsDir = path.join(binsRoot, id);
      const options = readMetadata(binsDir);
      // The -ext packages only add backend plugins to a folder of another package; they have no libllama.
      if (!options || !libllamaFile(binsDir)) continue;
      if (options.platform !== nodeLlamaCppPlatform() || options.arch !== process.arch) continue;
      folders.push({
        id,
        gpu: options.gpu ?? false,
        buildType: "prebuilt",
        binsDir,
        libraryFolder: id,
        release: options.llamaCpp?.release ?? "unknown",
        cmakeOptions: null,
      });
    }
  }
  folders.push(...findLocalBuildFolders());
  if (folders.length === 0) {
    throw new Error(
      `no prebuilt llama.cpp libraries for ${nodeLlamaCppPlatform()}-${process.arch} under ${scopeDir}; ` +
        "reinstall with `npm ci` (node-llama-cpp's platform packages are optional dependencies)",
    );
  }
  return folders.sort(
    (a, b) =>
      Number(a.buildType !== "prebuilt") - Number(b.buildType !== "prebuilt") ||
      Number(a.gpu !== false) - Number(b.gpu !== false) ||
      a.id.localeCompare(b.id),
  );
}

/** node-llama-cpp's folder of builds compiled on this machine. */
export function localBuildsDir() {
  return path.join(nodeLlamaCppDir(), "llama", "localBuilds");
}

/**
 * The finished local builds (node-llama-cpp writes buildDone.status last, so a build that was
 * interrupted is never listed). Their ids are prefixed, so they never collide with a prebuilt folder.
 */
export function findLocalBuildFolders() {
  const dir = localBuildsDir();
  if (!existsSync(dir)) return [];
  /** @type {LlamaBackendFolder[]} */
  const folders = [];
  for (const name of readdirSync(dir)) {
    const binsDir = path.join(dir, name, "Release");
    if (!existsSync(path.join(dir, name, "buildDone.status")) || !existsSync(binsDir)) continue;
    const options = readMetadata(binsDir);
    if (!options || !libllamaFile(binsDir)) continue;
    folders.push({
      id: `local-${name}`,
      gpu: options.gpu ?? false,
      buildType: "localBuild",
      binsDir,
      libraryFolder: `${name}/Release`,
      release: options.llamaCpp?.release ?? "unknown",
      cmakeOptions: options.customCmakeOptions ?? {},
    });
  }
  return folders;
}

/** The addon file linked to one backend folder. */
export function addonFileName(folderId) {
  return `cwb_native-${folderId}.node`;
}

/** The prebuilt CPU-only folder: the libraries llama.cpp's own tools are run on for timing parity. */
export function prebuiltCpuBinsDir() {
  const folder = findBackendFolders().find((entry) => entry.gpu === false && entry.buildType === "prebuilt");
  if (!folder)
    throw new Error(`no CPU-only prebuilt llama.cpp folder for ${process.platform}-${process.arch}`);
  return folder.binsDir;
}
