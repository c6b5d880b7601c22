// Loads node-llama-cpp and the cwb_native addon bound to the same llama.cpp build. Each build names
// its libraries differently (libllama.v0.4.0.so, libllama.vulkan.v0.4.0.so), so the addon is linked
// once per build folder (scripts/build-native.js, which lists them in backends.json); here the one
// for the folder node-llama-cpp chose is loaded, and the dynamic loader finds its libraries already
// mapped. On Linux the mapped files are checked: one libllama, from that folder.
// Only worker processes call this: native work never runs in the app process.
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import type { CwbNativeAddon, BackendDevice } from "./AddonTypes.js";
import { CodedError } from "../errors.js";
import { packageRoot } from "../packageRoot.js";
import {
  gpuSettings,
  type BackendUsed,
  type GpuSettings,
  type GpuSettingsInput,
} from "../../shared/domain/gpu.js";
import { planGpu, vulkanVisibleDevicesVariable, type GpuPlan, type VulkanProbe } from "./planGpu.js";

export interface LoadedNative {
  addon: CwbNativeAddon;
  devices: BackendDevice[];
  /** What node-llama-cpp selected: false for CPU, else the GPU type. */
  gpu: false | string;
  llama: import("node-llama-cpp").Llama;
  /** The build and devices, as recorded with results (GPU devices are filled in by the caller's model). */
  backend: BackendUsed;
}

interface BackendManifestEntry {
  /** The library folder's name (unique per machine). */
  id: string;
  gpu: false | string;
  buildType: "prebuilt" | "localBuild";
  addon: string;
}

let loaded: { key: string; promise: Promise<LoadedNative> } | undefined;

export function nativeBuildDir(): string {
  return path.join(packageRoot(), "native", "build", "Release");
}

function notBuilt(file: string): CodedError {
  return new CodedError("NATIVE_NOT_BUILT", `The native addon is not built: ${file} is missing`, {
    file,
    remedies: ["rebuild-native"],
  });
}

function readManifest(): BackendManifestEntry[] {
  const file = path.join(nativeBuildDir(), "backends.json");
  if (!existsSync(file)) throw notBuilt(file);
  return (JSON.parse(readFileSync(file, "utf8")) as { backends: BackendManifestEntry[] }).backends;
}

/** The Vulkan devices, listed without loading any llama.cpp build (null where there is no probe). */
export function probeVulkanDevices(): VulkanProbe | null {
  const file = path.join(nativeBuildDir(), "cwb_gpu_probe.node");
  if (!existsSync(file)) return null;
  const probe = createRequire(import.meta.url)(file) as { vulkanDevices(): VulkanProbe };
  return probe.vulkanDevices();
}

/** The llama.cpp library files mapped into this process (Linux; elsewhere an empty list). */
export function mappedLlamaLibraries(): string[] {
  if (process.platform !== "linux") return [];
  const files = readFileSync("/proc/self/maps", "utf8")
    .split("\n")
    .map((line) => line.split(/\s+/).slice(5).join(" "))
    .filter((file) => /\/lib(llama|ggml)[^/]*\.so/.test(file));
  return [...new Set(files)].sort();
}

function chooseEntry(entries: BackendManifestEntry[], gpu: false | string): BackendManifestEntry {
  // A platform with one build for every choice (macOS arm64: Metal) runs CPU work on it too.
  const entry =
    entries.find((candidate) => candidate.gpu === gpu) ?? (entries.length === 1 ? entries[0] : undefined);
  if (!entry) {
    const built = entries.map((candidate) => candidate.id).join(", ");
    throw new CodedError(
      "NATIVE_NOT_BUILT",
      `node-llama-cpp chose the ${gpu === false ? "CPU" : gpu} build, but the native addon was built only for ${built}`,
      { remedies: ["rebuild-native"] },
    );
  }
  return entry;
}

/** Linux: exactly one libllama is mapped, from the folder of the build the addon was linked to. */
function checkMappedLibraries(entry: BackendManifestEntry): string[] {
  const mapped = mappedLlamaLibraries();
  const libllama = mapped.filter((file) =>
    /\/libllama(\.[a-z0-9]+)?\.v[\d.]+\.so$|\/libllama\.so$/.test(file),
  );
  // Compared by folder name: a packaged app does not run from the build's absolute paths.
  const folder = libllama.length === 1 ? path.basename(path.dirname(libllama[0]!)) : null;
  if (process.platform === "linux" && folder !== entry.id) {
    throw new Error(
      `The native addon for ${entry.id} did not bind to the libllama node-llama-cpp loaded: mapped ${libllama.join(", ") || "none"}, expected one in a folder named ${entry.id}.`,
    );
  }
  return mapped;
}

async function load(settings: GpuSettings, plan: GpuPlan): Promise<LoadedNative> {
  for (const [name, value] of Object.entries(plan.env)) process.env[name] = value;
  const { getLlama, LlamaLogLevel } = await import("node-llama-cpp");
  const llama = await getLlama({
    gpu: plan.gpu,
    build: "never",
    logLevel: LlamaLogLevel.error,
    progressLogs: false,
  });
  const entry = chooseEntry(readManifest(), llama.gpu);
  const file = path.join(nativeBuildDir(), entry.addon);
  if (!existsSync(file)) throw notBuilt(file);
  const addon = createRequire(import.meta.url)(file) as CwbNativeAddon;
  const libraries = checkMappedLibraries(entry);
  const devices = addon.ensureBackends();
  const gpuDevices = devices.filter((device) => device.type !== "cpu");
  const backend: BackendUsed = {
    build: entry.id,
    buildType: entry.buildType,
    gpu: llama.gpu === false ? "cpu" : llama.gpu,
    devices: gpuDevices.map((device) => ({
      name: device.description || device.name,
      software: plan.softwareDevices.some((name) => name === device.description || name === device.name),
      vramTotalBytes: device.memoryTotal > 0 ? device.memoryTotal : null,
    })),
    skipped: plan.skipped,
    libraries: libraries.map((library) => path.basename(library)),
  };
  if (settings.gpu !== "auto" && backend.gpu !== settings.gpu) {
    throw new Error(`${settings.gpu} was requested but node-llama-cpp loaded its ${backend.gpu} build`);
  }
  return { addon, devices, gpu: llama.gpu, llama, backend };
}

/**
 * The addon and node-llama-cpp for this worker, on the build and devices the settings ask for
 * (default: CPU). A worker commits to one build: a later call with other settings is a bug.
 */
export function loadNative(input: GpuSettingsInput = { gpu: "cpu" }): Promise<LoadedNative> {
  const settings = gpuSettings.parse(input);
  const key = `${settings.gpu}/${settings.allowSoftwareGpu}`;
  if (loaded) {
    if (loaded.key !== key) {
      return Promise.reject(
        new Error(`this worker already loaded llama.cpp for ${loaded.key}; ${key} needs another worker`),
      );
    }
    return loaded.promise;
  }
  const promise = (async () => {
    const probe = settings.gpu === "cpu" ? null : probeVulkanDevices();
    const plan = planGpu(
      settings.gpu,
      settings.allowSoftwareGpu,
      probe,
      process.env[vulkanVisibleDevicesVariable],
    );
    return load(settings, plan);
  })();
  loaded = { key, promise };
  return promise;
}
