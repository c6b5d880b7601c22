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
import {
  nativeBuildDir,
  nativeNotBuilt,
  readBackendManifest,
  type BackendManifestEntry,
} from "../../core/llamaBuilds/backendManifest.js";
import { CodedError } from "../../core/errors.js";
import {
  gpuSettings,
  type BackendUsed,
  type GpuSettings,
  type GpuSettingsInput,
} from "../../shared/domain/gpu.js";
import {
  llamaBuildLabel,
  machineBuildCmakeOptions,
  sameCmakeOptions,
  type LlamaBuildChoice,
} from "../../shared/domain/llamaBuild.js";
import { logLlamaLine } from "./llamaLog.js";
import { planGpu, vulkanVisibleDevicesVariable, type GpuPlan, type VulkanProbe } from "./planGpu.js";

export interface LoadedNative {
  addon: CwbNativeAddon;
  devices: BackendDevice[];
  /** What node-llama-cpp selected: false for CPU, else the GPU type. */
  gpu: false | string;
  llama: import("node-llama-cpp").Llama;
  /** llama.cpp's upstream commit from the loaded library's build-info, or null. */
  llamaCommit: string | null;
  /** The release and commit as runs record them (shared/domain/llamaBuild.ts llamaBuildLabel). */
  buildLabel: string;
  /** The build and devices, as recorded with results (GPU devices are filled in by the caller's model). */
  backend: BackendUsed;
}

let loaded: { key: string; promise: Promise<LoadedNative> } | undefined;

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

function chooseEntry(
  entries: BackendManifestEntry[],
  gpu: false | string,
  llamaBuild: LlamaBuildChoice,
): BackendManifestEntry {
  if (llamaBuild === "local") {
    const entry = entries.find(
      (candidate) =>
        candidate.buildType === "localBuild" &&
        sameCmakeOptions(candidate.cmakeOptions ?? {}, machineBuildCmakeOptions),
    );
    if (!entry) {
      throw new CodedError(
        "MACHINE_BUILD_MISSING",
        "The workbench addon is not linked to the llama.cpp build for this machine",
        { remedies: ["build-llama-for-machine", "choose-prebuilt-build"] },
      );
    }
    return entry;
  }
  const prebuilt = entries.filter((candidate) => candidate.buildType === "prebuilt");
  // A platform with one build for every choice (macOS arm64: Metal) runs CPU work on it too.
  const entry =
    prebuilt.find((candidate) => candidate.gpu === gpu) ?? (prebuilt.length === 1 ? prebuilt[0] : undefined);
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
    /\/libllama(\.[a-z0-9]+)?\.v[\d.]+(\.[a-z0-9]+)?\.so$|\/libllama\.so$/.test(file),
  );
  // Compared by the folder's last parts: a packaged app does not run from the build's absolute paths.
  const expected = entry.libraryFolder ?? entry.id;
  const depth = expected.split("/").length;
  const folder =
    libllama.length === 1 ? path.dirname(libllama[0]!).split(path.sep).slice(-depth).join("/") : null;
  if (process.platform === "linux" && folder !== expected) {
    throw new Error(
      `The native addon for ${entry.id} did not bind to the libllama node-llama-cpp loaded: mapped ${libllama.join(", ") || "none"}, expected one in a folder named ${expected}.`,
    );
  }
  return mapped;
}

async function load(settings: GpuSettings, plan: GpuPlan): Promise<LoadedNative> {
  for (const [name, value] of Object.entries(plan.env)) process.env[name] = value;
  const { getLlama, LlamaLogLevel } = await import("node-llama-cpp");
  const local = settings.llamaBuild === "local";
  const llama = await getLlama({
    gpu: plan.gpu,
    build: "never",
    // Warnings and errors into the job's log; the last error becomes a failure's reason.
    logLevel: LlamaLogLevel.warn,
    logger: logLlamaLine,
    progressLogs: false,
    // The machine build has its own folder, named from these options; never fall back to prebuilt.
    ...(local ? { cmakeOptions: { ...machineBuildCmakeOptions }, usePrebuiltBinaries: false } : {}),
  }).catch((error: unknown) => {
    if (!local) throw error;
    throw new CodedError("MACHINE_BUILD_MISSING", "llama.cpp has not been built for this machine yet", {
      llamaReason: error instanceof Error ? error.message : String(error),
      remedies: ["build-llama-for-machine", "choose-prebuilt-build"],
      cause: error,
    });
  });
  const entry = chooseEntry(readBackendManifest(), llama.gpu, settings.llamaBuild);
  const file = path.join(nativeBuildDir(), entry.addon);
  if (!existsSync(file)) throw nativeNotBuilt(file);
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
  // An addon built before llamaCommit existed has no such function: no commit then.
  const llamaCommit = addon.llamaCommit?.()?.commit ?? null;
  const buildLabel = llamaBuildLabel(llama.llamaCppRelease.release, llamaCommit);
  return { addon, devices, gpu: llama.gpu, llama, llamaCommit, buildLabel, backend };
}

/**
 * The addon and node-llama-cpp for this worker, on the build and devices the settings ask for
 * (default: CPU). A worker commits to one build: a later call with other settings is a bug.
 */
export function loadNative(input: GpuSettingsInput = { gpu: "cpu" }): Promise<LoadedNative> {
  const settings = gpuSettings.parse(input);
  const key = `${settings.llamaBuild}/${settings.gpu}/${settings.allowSoftwareGpu}`;
  if (loaded) {
    if (loaded.key !== key) {
      return Promise.reject(
        new Error(`this worker already loaded llama.cpp for ${loaded.key}; ${key} needs another worker`),
      );
    }
    return loaded.promise;
  }
  const promise = (async () => {
    if (settings.llamaBuild === "local" && settings.gpu !== "auto" && settings.gpu !== "cpu") {
      throw new CodedError(
        "MACHINE_BUILD_CPU_ONLY",
        `The llama.cpp build for this machine runs on the CPU only; ${settings.gpu} needs the prebuilt binaries`,
        { remedies: ["choose-cpu", "choose-prebuilt-build"] },
      );
    }
    // The machine build is compiled for the CPU: no GPU device to plan for.
    const probe = settings.gpu === "cpu" || settings.llamaBuild === "local" ? null : probeVulkanDevices();
    const choice = settings.llamaBuild === "local" ? "cpu" : settings.gpu;
    const plan = planGpu(choice, settings.allowSoftwareGpu, probe, process.env[vulkanVisibleDevicesVariable]);
    return load(settings, plan);
  })();
  loaded = { key, promise };
  return promise;
}
