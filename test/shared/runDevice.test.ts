// Where a run ran, as the screens say it: build, devices or the CPU, GPU layers, VRAM, skipped devices.
import { describe, expect, it } from "vitest";
import { backendUsed, gpuSettings, type BackendUsed } from "../../src/shared/domain/gpu.js";
import {
  benchRunDevice,
  describeDevicesOverview,
  describeGpuSettings,
  describeRunDevice,
  devicesOverview,
  evalRunDevice,
  jobRunDevice,
  type RunDevice,
} from "../../src/shared/domain/runDevice.js";

const MB = 1e6;

// As the worker records them (parsed through the shared schema, so a shape change fails here).
const cpuWithLlvmpipe: BackendUsed = backendUsed.parse({
  build: "linux-x64",
  buildType: "prebuilt",
  gpu: "cpu",
  devices: [],
  skipped: [{ name: "llvmpipe (LLVM 19.1.7, 256 bits)", reason: "software" }],
  libraries: ["/x/linux-x64/bins/libllama.so"],
});
const vulkanOnLlvmpipe: BackendUsed = backendUsed.parse({
  build: "linux-x64-vulkan",
  buildType: "prebuilt",
  gpu: "vulkan",
  devices: [{ name: "llvmpipe (LLVM 19.1.7, 256 bits)", software: true, vramTotalBytes: null }],
  skipped: [],
  libraries: [],
});
const cuda: BackendUsed = backendUsed.parse({
  build: "linux-x64-cuda",
  buildType: "localBuild",
  gpu: "cuda",
  devices: [{ name: "NVIDIA GeForce RTX 4090", software: false, vramTotalBytes: 24_000 * MB }],
  skipped: [],
  libraries: [],
});

const device = (backend: BackendUsed | null, fields: Partial<RunDevice> = {}): RunDevice => ({
  backend,
  gpuLayers: null,
  vramUsedBytes: null,
  vramEstimateBytes: null,
  ...fields,
});

describe("describeRunDevice", () => {
  it("says a run on the CPU ran on the CPU and why the software renderer was skipped", () => {
    const d = describeRunDevice(device(cpuWithLlvmpipe, { gpuLayers: 0 }));
    expect(d).toEqual({
      recorded: true,
      line: "CPU build (linux-x64) · on the CPU",
      skipped: [
        "llvmpipe (LLVM 19.1.7, 256 bits) skipped: a software renderer (the CPU drawing as a GPU) is slower " +
          "than the CPU backend; allow software GPU devices in the Compress settings to use it",
      ],
      software: false,
    });
    const inCli = describeRunDevice(device(cpuWithLlvmpipe, { gpuLayers: 0 }), "pass --software-gpu");
    expect(inCli.skipped[0]).toMatch(/CPU backend; pass --software-gpu to use it$/);
  });

  it("names a software device the user allowed, with the layers offloaded", () => {
    const d = describeRunDevice(device(vulkanOnLlvmpipe, { gpuLayers: 5, vramUsedBytes: 12 * MB }));
    expect(d.line).toBe(
      "Vulkan build (linux-x64-vulkan) · on llvmpipe (LLVM 19.1.7, 256 bits) (software renderer) · " +
        "5 layers on the GPU · 12 MB VRAM used",
    );
    expect(d.software).toBe(true);
    expect(d.skipped).toEqual([]);
  });

  it("shows a hardware GPU with its VRAM, the measured and estimated VRAM, and a local build", () => {
    const d = describeRunDevice(
      device(cuda, { gpuLayers: 33, vramUsedBytes: 4_200 * MB, vramEstimateBytes: 4_000 * MB }),
    );
    expect(d.line).toBe(
      "CUDA build (linux-x64-cuda, built on this machine) · on NVIDIA GeForce RTX 4090 (24 GB VRAM) · " +
        "33 layers on the GPU · 4.2 GB VRAM used (estimated 4 GB)",
    );
  });

  it("reads an evaluation's layer setting: auto and max offload every layer on a GPU", () => {
    expect(describeRunDevice(device(cuda, { gpuLayers: "auto" })).line).toContain("all layers on the GPU");
    expect(describeRunDevice(device(cuda, { gpuLayers: "max" })).line).toContain("all layers on the GPU");
    expect(describeRunDevice(device(cuda)).line).toContain("GPU layers not recorded");
  });

  it("says not recorded for runs made before the backend was kept", () => {
    expect(describeRunDevice(device(null))).toEqual({
      recorded: false,
      line: "not recorded",
      skipped: [],
      software: false,
    });
    expect(describeRunDevice(null).line).toBe("not recorded");
  });
});

describe("reading recorded runs and job results", () => {
  const benchRun = {
    settings: { gpuLayers: 0, backend: "cpu", gpu: "auto" },
    details: { modelPath: "/m.gguf", backend: cpuWithLlvmpipe },
    metrics: [
      { name: "tg.64", value: 100, unit: "tok/s", stddev: 1, samples: 3 },
      { name: "vram.estimate", value: 2 * MB, unit: "B", stddev: null, samples: 1 },
    ],
  };

  it("takes the backend from a bench run's details and the resolved layers from its settings", () => {
    expect(benchRunDevice(benchRun)).toEqual({
      backend: cpuWithLlvmpipe,
      gpuLayers: 0,
      vramUsedBytes: null,
      vramEstimateBytes: 2 * MB,
    });
  });

  it("gives null backends for old runs and malformed details instead of failing", () => {
    expect(
      benchRunDevice({ settings: {}, details: { modelPath: "/m.gguf" }, metrics: [] }).backend,
    ).toBeNull();
    expect(evalRunDevice({ settings: null, details: { backend: { build: 3 } } })).toEqual(device(null));
  });

  it("reads bench, eval and generate job results; other kinds have none", () => {
    expect(jobRunDevice({ kind: "bench", params: {}, result: benchRun })?.backend).toEqual(cpuWithLlvmpipe);
    const evalJob = {
      kind: "eval",
      params: { settings: { gpu: "auto", gpuLayers: "max", allowSoftwareGpu: true } },
      result: { variants: [], backend: vulkanOnLlvmpipe },
    };
    expect(jobRunDevice(evalJob)).toEqual(device(vulkanOnLlvmpipe, { gpuLayers: "max" }));
    const generateJob = {
      kind: "generate",
      params: { gpuLayers: 3 },
      result: { outputs: [], backend: cuda },
    };
    expect(jobRunDevice(generateJob)).toEqual(device(cuda, { gpuLayers: 3 }));
    expect(jobRunDevice({ kind: "quantize", params: {}, result: {} })).toBeNull();
    expect(jobRunDevice({ kind: "bench", params: {}, result: null })).toBeNull();
  });
});

describe("an experiment's devices at a glance", () => {
  it("lists each build and device once, the skipped devices once, and counts unrecorded runs", () => {
    const rows = [
      { devices: { bench: device(cpuWithLlvmpipe, { gpuLayers: 0 }), eval: device(cpuWithLlvmpipe) } },
      { devices: { bench: device(cpuWithLlvmpipe, { gpuLayers: 0 }), eval: null } },
      { devices: { bench: device(null), eval: null } },
    ];
    const overview = devicesOverview(rows);
    expect(overview.ranOn).toEqual(["CPU build (linux-x64) on the CPU"]);
    expect(overview.skipped).toHaveLength(1);
    expect(overview.skipped[0]).toMatch(/^llvmpipe .* skipped: a software renderer/);
    expect(overview).toMatchObject({ unrecorded: 1, runs: 4 });
    expect(describeDevicesOverview(overview)).toBe(
      "CPU build (linux-x64) on the CPU; 1 older run not recorded",
    );
    expect(describeDevicesOverview(devicesOverview([{ devices: { bench: device(null), eval: null } }]))).toBe(
      "not recorded",
    );
    expect(describeDevicesOverview(devicesOverview([]))).toBe("no measurements yet");
  });
});

describe("describeGpuSettings", () => {
  it("words the device settings of a sweep", () => {
    expect(describeGpuSettings(gpuSettings.parse({}))).toBe(
      "automatic, GPU layers automatic, software GPU devices skipped",
    );
    expect(describeGpuSettings(gpuSettings.parse({ gpu: "false" }))).toBe("CPU only");
    expect(
      describeGpuSettings(gpuSettings.parse({ gpu: "vulkan", gpuLayers: 1, allowSoftwareGpu: true })),
    ).toBe("Vulkan, 1 layer on the GPU, software GPU devices allowed");
  });
});
