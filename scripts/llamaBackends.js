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
 * @property {"prebuilt"} buildType
 * @property {string} binsDir   absolute folder of the library files
 * @property {string} release   llama.cpp release the binaries were built from
 */

/** node-llama-cpp's platform names for the folders it publishes. */
function nodeLlamaCppPlatform() {
  return { darwin: "mac", win32: "win", linux: "linux" }[process.platform] ?? process.platform;
}

/** The folder's libllama (the file the addon links to), or undefined when the folder has none. */
export function libllamaFile(binsDir) {
  const pattern = /^(lib)?llama(\.[a-z0-9]+)?\.v[\d.]+\.(so|dylib|dll)$|^(lib)?llama\.(so|dylib|dll)$/;
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
        release: options.llamaCpp?.release ?? "unknown",
      });
    }
  }
  if (folders.length === 0) {
    throw new Error(
      `no prebuilt llama.cpp libraries for ${nodeLlamaCppPlatform()}-${process.arch} under ${scopeDir}; ` +
        "reinstall with `npm ci` (node-llama-cpp's platform packages are optional dependencies)",
    );
  }
  return folders.sort(
    (a, b) => Number(a.gpu !== false) - Number(b.gpu !== false) || a.id.localeCompare(b.id),
  );
}

/** The addon file linked to one backend folder. */
export function addonFileName(folderId) {
  return `cwb_native-${folderId}.node`;
}

/** The prebuilt CPU-only folder: the libraries llama.cpp's own tools are run on for timing parity. */
export function prebuiltCpuBinsDir() {
  const folder = findBackendFolders().find((entry) => entry.gpu === false);
  if (!folder)
    throw new Error(`no CPU-only prebuilt llama.cpp folder for ${process.platform}-${process.arch}`);
  return folder.binsDir;
}
