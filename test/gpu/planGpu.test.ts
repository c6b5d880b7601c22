// The device rules before a llama.cpp build is loaded: a software Vulkan device (llvmpipe) is never
// the GPU by default, is named as skipped, and is used only when the user allows it.
import { describe, expect, it } from "vitest";
import {
  GpuUnavailableError,
  nativeGpuLayers,
  planGpu,
  type VulkanProbe,
} from "../../src/worker/native/planGpu.js";
import type { BackendUsed } from "../../src/shared/domain/gpu.js";

const llvmpipe = { index: 0, name: "llvmpipe (LLVM 15.0.6, 256 bits)", type: "cpu" };
const radeon = { index: 1, name: "AMD Radeon 780M", type: "integrated" };
const softwareOnly: VulkanProbe = { loader: true, error: null, devices: [llvmpipe] };
const both: VulkanProbe = { loader: true, error: null, devices: [llvmpipe, radeon] };
const noLoader: VulkanProbe = {
  loader: false,
  error: "no Vulkan loader library (libvulkan.so.1)",
  devices: [],
};

describe("planGpu", () => {
  it("auto with only a software device excludes the Vulkan build and names llvmpipe as skipped", () => {
    const plan = planGpu("auto", false, softwareOnly, undefined);
    expect(plan.gpu).toEqual({ type: "auto", exclude: ["vulkan"] });
    expect(plan.skipped).toEqual([{ name: llvmpipe.name, reason: "software" }]);
    expect(plan.env).toEqual({});
  });

  it("auto with a hardware device leaves the choice to node-llama-cpp and still names llvmpipe", () => {
    const plan = planGpu("auto", false, both, undefined);
    expect(plan.gpu).toBe("auto");
    expect(plan.skipped).toEqual([{ name: llvmpipe.name, reason: "software" }]);
    expect(plan.env).toEqual({});
  });

  it("allowing software devices makes ggml-vulkan see them, hardware first", () => {
    expect(planGpu("vulkan", true, softwareOnly, undefined)).toEqual({
      gpu: "vulkan",
      env: { GGML_VK_VISIBLE_DEVICES: "0" },
      skipped: [],
      softwareDevices: [llvmpipe.name],
    });
    expect(planGpu("auto", true, both, undefined).env).toEqual({ GGML_VK_VISIBLE_DEVICES: "1,0" });
  });

  it("vulkan without a hardware device fails, saying why and what would help", () => {
    let error: unknown;
    try {
      planGpu("vulkan", false, softwareOnly, undefined);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(GpuUnavailableError);
    const gpuError = error as GpuUnavailableError;
    expect(gpuError.code).toBe("GPU_UNAVAILABLE");
    expect(gpuError.message).toContain(llvmpipe.name);
    expect(gpuError.message).toContain("software renderer");
    expect(gpuError.message).not.toMatch(/--/);
    expect(gpuError.remedies).toEqual(["allow-software-gpu", "choose-cpu"]);
    expect(() => planGpu("vulkan", true, noLoader, undefined)).toThrow(/no Vulkan loader library/);
  });

  it("a device list the user set is theirs: not overridden, and enough for vulkan", () => {
    expect(planGpu("vulkan", true, softwareOnly, "0")).toMatchObject({ gpu: "vulkan", env: {} });
    expect(planGpu("vulkan", false, softwareOnly, "0").gpu).toBe("vulkan");
  });

  it("cpu, cuda and metal are taken as asked, without looking at Vulkan", () => {
    expect(planGpu("cpu", true, both, undefined)).toEqual({
      gpu: false,
      env: {},
      skipped: [],
      softwareDevices: [],
    });
    expect(planGpu("cuda", false, null, undefined).gpu).toBe("cuda");
    expect(planGpu("metal", false, null, undefined).gpu).toBe("metal");
  });
});

describe("nativeGpuLayers", () => {
  const backend = (devices: BackendUsed["devices"]): BackendUsed => ({
    build: "linux-x64-vulkan",
    buildType: "prebuilt",
    gpu: "vulkan",
    devices,
    skipped: [],
    libraries: [],
  });
  const gpu = backend([{ name: "llvmpipe", software: true, vramTotalBytes: 1 }]);
  it("offloads everything for max, everything for auto on a GPU, nothing for auto on the CPU", () => {
    expect(nativeGpuLayers("max", gpu)).toBe(-1);
    expect(nativeGpuLayers("auto", gpu)).toBe(-1);
    expect(nativeGpuLayers("auto", backend([]))).toBe(0);
    expect(nativeGpuLayers(3, gpu)).toBe(3);
  });
});
