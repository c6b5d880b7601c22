// Where one run ran, as the screens show it: the llama.cpp build, the GPU devices (or the CPU), the
// layers offloaded, the VRAM measured, and the devices skipped with the reason in words. Read from
// what bench and evaluation results record (BackendUsed in gpu.ts); runs recorded before that was
// kept have no backend and read "not recorded".
import { z } from "zod";
import { formatBytes } from "../format.js";
import {
  backendUsed,
  gpuLayersChoice,
  type BackendUsed,
  type GpuSettings,
  type SkippedDevice,
} from "./gpu.js";
import type { Metric } from "./run.js";

export const runDevice = z.object({
  /** The build and devices used; null for runs recorded before it was kept. */
  backend: backendUsed.nullable(),
  /** Layers offloaded: the count a benchmark resolved, or the setting an evaluation ran with. */
  gpuLayers: gpuLayersChoice.nullable(),
  /** VRAM the model and context took, measured (bench "vram.used") and estimated ("vram.estimate"). */
  vramUsedBytes: z.number().nullable(),
  vramEstimateBytes: z.number().nullable(),
});
export type RunDevice = z.infer<typeof runDevice>;

const recordedBackend = z.object({ backend: backendUsed.optional() });
const recordedLayers = z.object({ gpuLayers: gpuLayersChoice.optional() });

function backendIn(value: unknown): BackendUsed | null {
  return recordedBackend.safeParse(value).data?.backend ?? null;
}

function layersIn(value: unknown): RunDevice["gpuLayers"] {
  return recordedLayers.safeParse(value).data?.gpuLayers ?? null;
}

function metricValue(metrics: readonly Metric[], name: string): number | null {
  return metrics.find((m) => m.name === name)?.value ?? null;
}

/** A benchmark run (or report): the backend is in its details, the resolved layers in its settings. */
export function benchRunDevice(run: {
  settings: unknown;
  details: unknown;
  metrics: readonly Metric[];
}): RunDevice {
  return {
    backend: backendIn(run.details),
    gpuLayers: layersIn(run.settings),
    vramUsedBytes: metricValue(run.metrics, "vram.used"),
    vramEstimateBytes: metricValue(run.metrics, "vram.estimate"),
  };
}

/** An evaluation run: the backend is in its details, the layers setting in its settings. */
export function evalRunDevice(run: { settings: unknown; details: unknown }): RunDevice {
  return {
    backend: backendIn(run.details),
    gpuLayers: layersIn(run.settings),
    vramUsedBytes: null,
    vramEstimateBytes: null,
  };
}

/**
 * Where a finished job ran, from its result: bench, eval and generate jobs record it; null for the
 * kinds that do not run a model this way (or a job without a result yet).
 */
export function jobRunDevice(job: { kind: string; params: unknown; result: unknown }): RunDevice | null {
  if (job.result === null || job.result === undefined) return null;
  const result = job.result as Record<string, unknown>;
  if (job.kind === "bench") {
    const metrics = z.array(z.object({ name: z.string(), value: z.number() })).safeParse(result.metrics);
    return benchRunDevice({
      settings: result.settings,
      details: result.details,
      metrics: (metrics.data ?? []).map((m) => ({ ...m, unit: "", stddev: null, samples: null })),
    });
  }
  if (job.kind === "eval")
    return evalRunDevice({
      settings: (job.params as { settings?: unknown } | null)?.settings,
      details: result,
    });
  if (job.kind === "generate") return evalRunDevice({ settings: job.params, details: result });
  return null;
}

const buildNames: Record<string, string> = { cpu: "CPU", vulkan: "Vulkan", cuda: "CUDA", metal: "Metal" };

/** "Vulkan build (linux-x64-vulkan)", "CPU build (linux-x64, built on this machine)". */
export function describeBuild(backend: BackendUsed): string {
  const name = buildNames[backend.gpu] ?? backend.gpu;
  const local = backend.buildType === "localBuild" ? ", built on this machine" : "";
  return `${name} build (${backend.build}${local})`;
}

/** "NVIDIA GeForce RTX 4090", "llvmpipe (software renderer)", or "CPU" when no GPU device was used. */
export function describeDevices(backend: BackendUsed): string {
  if (backend.devices.length === 0) return "CPU";
  return backend.devices
    .map((device) => {
      const notes = [
        device.software ? "software renderer" : null,
        device.vramTotalBytes ? `${formatBytes(device.vramTotalBytes)} VRAM` : null,
      ].filter((note): note is string => note !== null);
      return notes.length > 0 ? `${device.name} (${notes.join(", ")})` : device.name;
    })
    .join(" + ");
}

/** Layers offloaded in words; null when the run used no GPU device (nothing was offloaded). */
export function describeGpuLayers(device: RunDevice): string | null {
  if (!device.backend || device.backend.devices.length === 0) return null;
  const layers = device.gpuLayers;
  if (layers === null) return "GPU layers not recorded";
  // Evaluations record the setting: "auto" and "max" both offload every layer when a GPU is used.
  if (layers === "auto" || layers === "max") return "all layers on the GPU";
  return `${layers} layer${layers === 1 ? "" : "s"} on the GPU`;
}

/** VRAM the run took, when it was measured or estimated. */
export function describeVram(device: RunDevice): string | null {
  const { vramUsedBytes: used, vramEstimateBytes: estimate } = device;
  if (used !== null && estimate !== null)
    return `${formatBytes(used)} VRAM used (estimated ${formatBytes(estimate)})`;
  if (used !== null) return `${formatBytes(used)} VRAM used`;
  if (estimate !== null) return `about ${formatBytes(estimate)} VRAM (estimated)`;
  return null;
}

/** How the screens word the way to use a skipped software device; the CLI passes its flag. */
export const softwareGpuRemedyInSettings = "allow software GPU devices in the Compress settings";

/** Why a device was not used, with the remedy in the words of the surface that shows it. */
export function explainSkipped(device: SkippedDevice, softwareRemedy = softwareGpuRemedyInSettings): string {
  if (device.reason === "software")
    return (
      `${device.name} skipped: a software renderer (the CPU drawing as a GPU) is slower than the CPU ` +
      `backend; ${softwareRemedy} to use it`
    );
  return `${device.name} not used: the settings chose another device`;
}

export interface RunDeviceDescription {
  readonly recorded: boolean;
  /** One line: build · devices · layers · VRAM, or "not recorded". */
  readonly line: string;
  /** One sentence per skipped device. */
  readonly skipped: readonly string[];
  /** Whether a software renderer did the work (the user allowed it). */
  readonly software: boolean;
}

export function describeRunDevice(
  device: RunDevice | null,
  softwareRemedy = softwareGpuRemedyInSettings,
): RunDeviceDescription {
  const backend = device?.backend;
  if (!device || !backend) return { recorded: false, line: "not recorded", skipped: [], software: false };
  const parts = [
    describeBuild(backend),
    backend.devices.length === 0 ? "on the CPU" : `on ${describeDevices(backend)}`,
    describeGpuLayers(device),
    describeVram(device),
  ].filter((part): part is string => part !== null);
  return {
    recorded: true,
    line: parts.join(" · "),
    skipped: backend.skipped.map((skipped) => explainSkipped(skipped, softwareRemedy)),
    software: backend.devices.some((d) => d.software),
  };
}

/** The device settings a sweep or job was started with, in words (History's recipe lines). */
export function describeGpuSettings(settings: GpuSettings): string {
  if (settings.gpu === "cpu") return "CPU only";
  const device = settings.gpu === "auto" ? "automatic" : (buildNames[settings.gpu] ?? settings.gpu);
  const layers =
    settings.gpuLayers === "auto"
      ? "GPU layers automatic"
      : settings.gpuLayers === "max"
        ? "all layers on the GPU"
        : `${settings.gpuLayers} layer${settings.gpuLayers === 1 ? "" : "s"} on the GPU`;
  const software = settings.allowSoftwareGpu
    ? "software GPU devices allowed"
    : "software GPU devices skipped";
  return `${device}, ${layers}, ${software}`;
}

export interface DevicesOverview {
  /** Each distinct "build on devices" the runs used, in the order first seen. */
  readonly ranOn: readonly string[];
  /** Each distinct skipped-device sentence. */
  readonly skipped: readonly string[];
  /** Runs whose backend was not recorded (made before it was kept). */
  readonly unrecorded: number;
  /** Runs there are at all. */
  readonly runs: number;
}

/** Where the runs of an experiment ran, once per distinct build and device (History, Compare). */
export function devicesOverview(
  rows: readonly { devices: { bench: RunDevice | null; eval: RunDevice | null } }[],
  softwareRemedy = softwareGpuRemedyInSettings,
): DevicesOverview {
  const ranOn = new Set<string>();
  const skipped = new Set<string>();
  let unrecorded = 0;
  let runs = 0;
  for (const row of rows) {
    for (const device of [row.devices.bench, row.devices.eval]) {
      if (!device) continue;
      runs++;
      if (!device.backend) {
        unrecorded++;
        continue;
      }
      const where = device.backend.devices.length === 0 ? "the CPU" : describeDevices(device.backend);
      ranOn.add(`${describeBuild(device.backend)} on ${where}`);
      for (const entry of device.backend.skipped) skipped.add(explainSkipped(entry, softwareRemedy));
    }
  }
  return { ranOn: [...ranOn], skipped: [...skipped], unrecorded, runs };
}

/** The overview in one line: "CPU build (linux-x64) on the CPU", plus the unrecorded runs. */
export function describeDevicesOverview(overview: DevicesOverview): string {
  if (overview.runs === 0) return "no measurements yet";
  const parts = [...overview.ranOn];
  if (overview.unrecorded > 0)
    parts.push(
      overview.unrecorded === overview.runs
        ? "not recorded"
        : `${overview.unrecorded} older run${overview.unrecorded === 1 ? "" : "s"} not recorded`,
    );
  return parts.join("; ");
}
