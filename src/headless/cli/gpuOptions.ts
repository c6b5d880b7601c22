// The device options every command that runs llama.cpp takes (bench, eval, imatrix, layers): the
// build (--gpu), the layers offloaded (--gpu-layers), the consent to a software Vulkan device
// (--software-gpu), and prebuilt binaries or the ones compiled for this machine (--llama-build).
import type { Command } from "commander";
import { gpuChoices, type GpuChoice, type GpuSettingsInput } from "../../shared/domain/gpu.js";
import { integerOption } from "./parseOptions.js";
import { llamaBuildChoices, type LlamaBuildChoice } from "../../shared/domain/llamaBuild.js";

export interface GpuCommandOptions {
  gpu: string;
  gpuLayers: string;
  softwareGpu: boolean;
  llamaBuild: string;
}

export function addGpuOptions(command: Command): Command {
  return command
    .option("--gpu <backend>", `llama.cpp build and device: ${gpuChoices.join("|")}`, "auto")
    .option("--gpu-layers <n>", "layers offloaded to the GPU: auto|max|N", "auto")
    .option(
      "--software-gpu",
      "allow a software Vulkan device (llvmpipe, lavapipe: the CPU drawing as a GPU), skipped by default",
      false,
    )
    .option(
      "--llama-build <build>",
      `llama.cpp binaries: ${llamaBuildChoices.join("|")} (local: compiled for this CPU by \`cwb llama build\`)`,
      "prebuilt",
    );
}

export function gpuSettingsFromOptions(options: GpuCommandOptions): GpuSettingsInput {
  if (!(gpuChoices as readonly string[]).includes(options.gpu))
    throw new Error(`--gpu: expected one of ${gpuChoices.join(", ")}, got "${options.gpu}"`);
  if (!(llamaBuildChoices as readonly string[]).includes(options.llamaBuild))
    throw new Error(
      `--llama-build: expected one of ${llamaBuildChoices.join(", ")}, got "${options.llamaBuild}"`,
    );
  if (options.llamaBuild === "local" && options.gpu !== "auto" && options.gpu !== "cpu")
    throw new Error(
      `--llama-build local runs on the CPU only; it cannot be combined with --gpu ${options.gpu}`,
    );
  return {
    llamaBuild: options.llamaBuild as LlamaBuildChoice,
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
