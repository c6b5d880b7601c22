// The device options every command that runs llama.cpp takes (bench, eval, imatrix, layers): the
// build (--gpu), the layers offloaded (--gpu-layers) and the consent to a software Vulkan device
// (--software-gpu).
import type { Command } from "commander";
import { gpuChoices, type GpuChoice, type GpuSettingsInput } from "../../shared/domain/gpu.js";
import { integerOption } from "./parseOptions.js";

export interface GpuCommandOptions {
  gpu: string;
  gpuLayers: string;
  softwareGpu: boolean;
}

export function addGpuOptions(command: Command): Command {
  return command
    .option("--gpu <backend>", `llama.cpp build and device: ${gpuChoices.join("|")}`, "auto")
    .option("--gpu-layers <n>", "layers offloaded to the GPU: auto|max|N", "auto")
    .option(
      "--software-gpu",
      "allow a software Vulkan device (llvmpipe, lavapipe: the CPU drawing as a GPU), skipped by default",
      false,
    );
}

export function gpuSettingsFromOptions(options: GpuCommandOptions): GpuSettingsInput {
  if (!(gpuChoices as readonly string[]).includes(options.gpu))
    throw new Error(`--gpu: expected one of ${gpuChoices.join(", ")}, got "${options.gpu}"`);
  return {
    gpu: options.gpu as GpuChoice,
    gpuLayers:
      options.gpuLayers === "auto" || options.gpuLayers === "max"
        ? options.gpuLayers
        : integerOption("--gpu-layers", options.gpuLayers, 0),
    allowSoftwareGpu: options.softwareGpu,
  };
}

/** How the CLI words the way to use a skipped software device (the screens name their control). */
export const softwareGpuRemedyFlag = "pass --software-gpu";
