// Loads the cwb_native addon bound to the llama.cpp build node-llama-cpp selected for this machine.
// node-llama-cpp loads its backend libraries first; the addon links to the same sonames, so the
// dynamic loader reuses those copies (CPU, CUDA, Vulkan or Metal) instead of loading a second one.
// Only worker processes call this: native work never runs in the app process.
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import type { CwbNativeAddon, BackendDevice } from "./AddonTypes.js";
import { packageRoot } from "../packageRoot.js";

export type GpuChoice = false | "auto" | "cuda" | "vulkan" | "metal";

export interface LoadedNative {
  addon: CwbNativeAddon;
  devices: BackendDevice[];
  /** What node-llama-cpp selected: false for CPU, else the GPU type. */
  gpu: false | string;
  llama: import("node-llama-cpp").Llama;
}

let loaded: Promise<LoadedNative> | undefined;

export function addonPath(): string {
  return path.join(packageRoot(), "native", "build", "Release", "cwb_native.node");
}

export function loadNative(gpu: GpuChoice = false): Promise<LoadedNative> {
  loaded ??= (async () => {
    const { getLlama, LlamaLogLevel } = await import("node-llama-cpp");
    const llama = await getLlama({ gpu, build: "never", logLevel: LlamaLogLevel.error, progressLogs: false });
    const file = addonPath();
    if (!existsSync(file)) {
      throw new Error(`The native addon is not built: ${file} is missing. Run "npm run build:native".`);
    }
    const addon = createRequire(import.meta.url)(file) as CwbNativeAddon;
    const devices = addon.ensureBackends();
    return { addon, devices, gpu: llama.gpu, llama };
  })();
  return loaded;
}
