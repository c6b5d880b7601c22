// Turns the user's device choice into what node-llama-cpp is asked for, before any llama.cpp build
// is loaded (loading one commits the process to it). node-llama-cpp's "auto" takes a Vulkan build
// whenever a Vulkan loader library exists, even when ggml-vulkan will then find no device it uses
// (it skips software renderers such as llvmpipe): the work would run on that build's CPU backend,
// labelled Vulkan. So the Vulkan devices are listed first (native/probe) and:
// - auto: Vulkan only when a hardware device exists; software devices are named as skipped;
// - vulkan: a hardware device, or a software one when the user allows it (GGML_VK_VISIBLE_DEVICES,
//   ggml-vulkan's own switch, names it); otherwise a GpuUnavailableError that says why;
// - cpu, cuda, metal: as asked.
import type { BackendUsed, GpuChoice, GpuLayersChoice, SkippedDevice } from "../../shared/domain/gpu.js";
import { CodedError } from "../../core/errors.js";

export interface VulkanProbe {
  loader: boolean;
  error: string | null;
  devices: { index: number; name: string; type: string }[];
}

export type NodeLlamaCppGpu =
  false | "auto" | "vulkan" | "cuda" | "metal" | { type: "auto"; exclude: "vulkan"[] };

export interface GpuPlan {
  gpu: NodeLlamaCppGpu;
  /** Environment to set before node-llama-cpp loads its backends. */
  env: Record<string, string>;
  skipped: SkippedDevice[];
  /** Devices that will be used although they are software renderers. */
  softwareDevices: string[];
}

export type GpuRemedy = "allow-software-gpu" | "choose-cpu";

export class GpuUnavailableError extends CodedError {
  constructor(message: string, remedies: GpuRemedy[]) {
    super("GPU_UNAVAILABLE", message, { remedies });
    this.name = "GpuUnavailableError";
  }
}

export const vulkanVisibleDevicesVariable = "GGML_VK_VISIBLE_DEVICES";

export function planGpu(
  choice: GpuChoice,
  allowSoftwareGpu: boolean,
  probe: VulkanProbe | null,
  /** The variable as the user set it: their device list wins over ours. */
  userVisibleDevices: string | undefined,
): GpuPlan {
  if (choice === "cpu") return { gpu: false, env: {}, skipped: [], softwareDevices: [] };
  if (choice === "cuda" || choice === "metal")
    return { gpu: choice, env: {}, skipped: [], softwareDevices: [] };

  const devices = probe?.devices ?? [];
  const hardware = devices.filter((device) => device.type !== "cpu");
  const software = devices.filter((device) => device.type === "cpu");
  const useSoftware = allowSoftwareGpu && software.length > 0 && userVisibleDevices === undefined;
  const skipped: SkippedDevice[] = useSoftware
    ? []
    : software.map((device) => ({ name: device.name, reason: "software" as const }));
  const env: Record<string, string> = useSoftware
    ? { [vulkanVisibleDevicesVariable]: [...hardware, ...software].map((device) => device.index).join(",") }
    : {};
  const softwareDevices = useSoftware ? software.map((device) => device.name) : [];

  if (choice === "vulkan") {
    if (hardware.length > 0 || useSoftware || userVisibleDevices !== undefined)
      return { gpu: "vulkan", env, skipped, softwareDevices };
    const names = software.map((device) => device.name).join(", ");
    const why = probe?.loader === false ? (probe.error ?? "no Vulkan loader") : "no Vulkan device";
    throw new GpuUnavailableError(
      software.length > 0
        ? `Vulkan has no hardware device on this machine: ${names} is a software renderer (the CPU drawing as a GPU), which is never used unless software GPU devices are allowed.`
        : `Vulkan cannot be used on this machine: ${why}.`,
      software.length > 0 ? ["allow-software-gpu", "choose-cpu"] : ["choose-cpu"],
    );
  }

  // auto
  if (hardware.length > 0 || useSoftware || userVisibleDevices !== undefined)
    return { gpu: "auto", env, skipped, softwareDevices };
  return { gpu: { type: "auto", exclude: ["vulkan"] }, env: {}, skipped, softwareDevices: [] };
}

/**
 * Layers to offload, as llama.cpp's n_gpu_layers (negative: all) for work that loads models through
 * the addon. "auto" offloads everything when a GPU device is in use: unlike node-llama-cpp's fit to
 * free VRAM, a model that does not fit fails to load with llama.cpp's own message.
 */
export function nativeGpuLayers(choice: GpuLayersChoice, backend: BackendUsed): number {
  if (choice === "max") return -1;
  if (choice === "auto") return backend.devices.length > 0 ? -1 : 0;
  return choice;
}
