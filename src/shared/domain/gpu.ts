// Which llama.cpp build and device a job runs on: what the user chooses (the same fields for bench,
// eval, imatrix, layer scans and generation), and what was really used (recorded with every result).
import { z } from "zod";
import { llamaBuildChoice } from "./llamaBuild.js";

export const gpuChoices = ["auto", "cpu", "vulkan", "cuda", "metal"] as const;
export type GpuChoice = (typeof gpuChoices)[number];
/** "false" is how settings recorded before the choices were named spelled "cpu". */
export const gpuChoice = z
  .enum([...gpuChoices, "false"])
  .transform((value): GpuChoice => (value === "false" ? "cpu" : value));

export const gpuLayersChoice = z.union([z.literal("auto"), z.literal("max"), z.number().int().min(0)]);
export type GpuLayersChoice = z.infer<typeof gpuLayersChoice>;

/** The user's device settings; every field has a default. */
export const gpuSettings = z.object({
  gpu: gpuChoice.default("auto"),
  /** "auto" lets node-llama-cpp fit layers to free VRAM; "max" offloads all; 0 on CPU builds. */
  gpuLayers: gpuLayersChoice.default("auto"),
  /**
   * Use a software Vulkan device (llvmpipe/lavapipe, a CPU pretending to be a GPU). Never chosen
   * by default: it is slower than the CPU backend; it is there to exercise the GPU code path.
   */
  allowSoftwareGpu: z.boolean().default(false),
  /**
   * "prebuilt": node-llama-cpp's binaries for this platform; "local": llama.cpp compiled on this
   * machine for its CPU (the llama.build job), which the prebuilt CPU library can be far slower than.
   */
  llamaBuild: llamaBuildChoice.default("prebuilt"),
});
export type GpuSettingsInput = z.input<typeof gpuSettings>;
export type GpuSettings = z.output<typeof gpuSettings>;

export const vulkanDeviceType = z.enum(["integrated", "discrete", "virtual", "cpu", "other"]);

/** A device the run could have used but did not, and why (shown next to the run). */
export const skippedDevice = z.object({
  name: z.string(),
  reason: z.enum(["software", "not-requested"]),
});
export type SkippedDevice = z.infer<typeof skippedDevice>;

/** The build and devices a job really ran on. */
export const backendUsed = z.object({
  /** The library folder the addon and node-llama-cpp were bound to (e.g. "linux-x64-vulkan"). */
  build: z.string(),
  buildType: z.enum(["prebuilt", "localBuild"]),
  /** "cpu" or node-llama-cpp's GPU type of the build. */
  gpu: z.string(),
  /** The GPU devices llama.cpp used; empty when the work ran on the CPU. */
  devices: z.array(
    z.object({ name: z.string(), software: z.boolean(), vramTotalBytes: z.number().nullable() }),
  ),
  skipped: z.array(skippedDevice),
  /** The llama.cpp library files mapped into the worker (Linux: from /proc/self/maps; else []). */
  libraries: z.array(z.string()),
});
export type BackendUsed = z.infer<typeof backendUsed>;
