// The runtime settings an export recommends for a device, each with where it comes from. A setting
// measured on the device (the fastest generation among the results imported for it) wins; otherwise
// a rule over the device profile:
//   threads         the performance cores (every cluster but the slowest-clocked one; llama.cpp's
//                   decode waits for its slowest thread, so efficiency cores slow it down)
//   context length  the longest power of two, up to the asked or default length, whose predicted
//                   memory stays under fit.ts's margin of the memory one app may use
//   GPU layers      every layer with Metal (Apple); every layer with Vulkan on a desktop or board;
//                   none on Android phones and tablets, whose Vulkan/OpenCL decode is often slower
//                   than the CPU's: measure with the bench script before offloading
//   flash attention on with Metal, otherwise llama.cpp's auto
//   KV cache        f16, llama.cpp's default (a quantized cache costs quality and needs flash attention)
//   batch size      512, llama.cpp's default
import type { DeviceProfile } from "../domain/deviceProfile.js";
import type { DeviceSettingSources } from "../domain/exportDevice.js";
import type { RuntimeSettings } from "../domain/exportManifest.js";
import { estimateMemory, fitVerdict, type FitModelShape } from "./fit.js";

/** The settings of the fastest generation measured on the device (an imported result). */
export interface MeasuredDeviceSettings {
  readonly threads: number;
  readonly gpuLayers: number;
  readonly batchSize: number;
  readonly flashAttention: RuntimeSettings["flashAttention"] | null;
  /** Which result, in words ("run r_1, 12.3 tok/s"). */
  readonly from: string;
}

export interface DeviceRuntimeRequest {
  readonly device: DeviceProfile;
  readonly shape: FitModelShape;
  /** The context length the user asked for; null: the longest that fits, up to `contextCap`. */
  readonly contextLength: number | null;
  readonly contextCap: number;
  readonly measured: MeasuredDeviceSettings | null;
}

/** The shortest context a recommendation goes down to: below it a chat hardly starts. */
export const minimumRecommendedContext = 512;

function performanceCores(device: DeviceProfile): { threads: number; why: string } {
  const clusters = device.cpu?.clusters;
  if (!clusters) return { threads: 4, why: "the profile lists no CPU cores: 4 threads" };
  const slowest = Math.min(...clusters.map((c) => c.maxGhz));
  const fast = clusters.length > 1 ? clusters.filter((c) => c.maxGhz > slowest) : clusters;
  const chosen = fast.length > 0 ? fast : clusters;
  const threads = chosen.reduce((sum, c) => sum + c.cores, 0);
  return {
    threads,
    why: `the performance cores: ${chosen.map((c) => `${c.cores} × ${c.core}`).join(" + ")}`,
  };
}

function fittingContext(request: DeviceRuntimeRequest): { contextLength: number; why: string } {
  const usable = request.device.usableMemoryBytes.value;
  const cap = Math.max(minimumRecommendedContext, request.contextCap);
  let context = 2 ** Math.floor(Math.log2(cap));
  for (; context > minimumRecommendedContext; context /= 2) {
    if (fitVerdict(estimateMemory(request.shape, context).totalBytes, usable).level === "fits") break;
  }
  const fits = fitVerdict(estimateMemory(request.shape, context).totalBytes, usable).level === "fits";
  return {
    contextLength: context,
    why: fits
      ? `the longest power of two up to ${cap} tokens whose predicted memory stays under 80 % of the memory one app may use`
      : `the shortest recommended context; even at ${context} tokens the predicted memory exceeds 80 % of the memory one app may use`,
  };
}

function gpuLayersRule(device: DeviceProfile, layers: number): { gpuLayers: number; why: string } {
  const apis = device.gpu?.apis ?? [];
  const all = layers + 1; // llama.cpp counts the output layer too
  if (apis.includes("metal")) return { gpuLayers: all, why: "every layer on the GPU through Metal" };
  if (apis.includes("vulkan") && device.os !== "android")
    return { gpuLayers: all, why: "every layer on the GPU through Vulkan" };
  if (apis.length > 0)
    return {
      gpuLayers: 0,
      why: `CPU only: llama.cpp's ${apis.join("/")} decode on phone GPUs is often slower than the CPU; measure before offloading`,
    };
  return { gpuLayers: 0, why: "CPU only: the profile lists no GPU API llama.cpp uses" };
}

export function deviceRuntimeSettings(request: DeviceRuntimeRequest): {
  settings: RuntimeSettings;
  sources: DeviceSettingSources;
} {
  const { device, measured } = request;
  const context =
    request.contextLength === null
      ? fittingContext(request)
      : { contextLength: request.contextLength, why: "the context length asked for" };
  const cores = performanceCores(device);
  const gpu = gpuLayersRule(device, request.shape.layers);
  const metal = device.gpu?.apis.includes("metal") ?? false;
  const measuredWhy = measured ? `the fastest generation measured on the device (${measured.from})` : "";
  const flashAttention = measured?.flashAttention ?? (metal ? "on" : "auto");
  const settings: RuntimeSettings = {
    contextLength: context.contextLength,
    threads: measured?.threads ?? cores.threads,
    gpuLayers: measured?.gpuLayers ?? gpu.gpuLayers,
    flashAttention,
    kvCacheType: "f16",
    batchSize: measured?.batchSize ?? 512,
    basis: `recommended for ${device.name} (device.settingSources says which settings were measured and which are rules)`,
  };
  const measuredOr = (rule: string) =>
    measured ? { basis: "measured" as const, why: measuredWhy } : { basis: "rule" as const, why: rule };
  return {
    settings,
    sources: {
      contextLength: { basis: request.contextLength === null ? "rule" : "asked", why: context.why },
      threads: measuredOr(cores.why),
      gpuLayers: measuredOr(gpu.why),
      flashAttention:
        measured?.flashAttention != null
          ? { basis: "measured", why: measuredWhy }
          : { basis: "rule", why: metal ? "on with Metal" : "llama.cpp decides (auto)" },
      kvCacheType: {
        basis: "rule",
        why: "f16, llama.cpp's default: a quantized cache costs quality and needs flash attention",
      },
      batchSize: measuredOr("512, llama.cpp's default"),
    },
  };
}
