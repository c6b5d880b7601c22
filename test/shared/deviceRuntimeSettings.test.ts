// The runtime settings an export recommends for a device: rules over the built-in profiles (threads
// from the performance cores, GPU layers by GPU API, a context that fits with margin), a measured
// result winning over the rules, and each setting saying which it is.
import { describe, expect, it } from "vitest";
import { builtinDeviceProfiles } from "../../src/shared/devices/builtinDeviceProfiles.js";
import type { FitModelShape } from "../../src/shared/metrics/fit.js";
import { estimateMemory, fitVerdict } from "../../src/shared/metrics/fit.js";
import { deviceRuntimeSettings } from "../../src/shared/metrics/deviceRuntimeSettings.js";

const profile = (id: string) => builtinDeviceProfiles.find((p) => p.id === id)!;
const GB = 1e9;
/** A 1B-class model: 16 layers, 2,048 wide, 8 KV heads of 64. */
const small: FitModelShape = {
  fileBytes: 0.8 * GB,
  layers: 16,
  heads: 32,
  headsKv: 8,
  embeddingLength: 2048,
  vocabularySize: 128_256,
};

describe("deviceRuntimeSettings", () => {
  it("on an iPhone: the performance cores, every layer through Metal, flash attention on", () => {
    const { settings, sources } = deviceRuntimeSettings({
      device: profile("iphone-15-pro"),
      shape: small,
      contextLength: null,
      contextCap: 4096,
      measured: null,
    });
    expect(settings).toMatchObject({
      threads: 2,
      gpuLayers: 17,
      flashAttention: "on",
      kvCacheType: "f16",
      contextLength: 4096,
    });
    expect(sources.threads).toEqual({ basis: "rule", why: "the performance cores: 2 × performance" });
    expect(sources.gpuLayers.why).toBe("every layer on the GPU through Metal");
  });

  it("on an Android phone: CPU only, and on a Raspberry Pi every layer through Vulkan", () => {
    const phone = deviceRuntimeSettings({
      device: profile("galaxy-s24-ultra"),
      shape: small,
      contextLength: null,
      contextCap: 4096,
      measured: null,
    });
    expect(phone.settings.gpuLayers).toBe(0);
    expect(phone.sources.gpuLayers.why).toMatch(/^CPU only: llama.cpp's vulkan\/opencl decode on phone GPUs/);
    const pi = deviceRuntimeSettings({
      device: profile("raspberry-pi-5-8gb"),
      shape: small,
      contextLength: null,
      contextCap: 4096,
      measured: null,
    });
    expect(pi.settings).toMatchObject({ threads: 4, gpuLayers: 17 });
  });

  it("halves the context until the predicted memory stays under the margin, and says when even the shortest does not", () => {
    const device = profile("pixel-8");
    const big: FitModelShape = {
      ...small,
      fileBytes: 2.2 * GB,
      layers: 32,
      embeddingLength: 4096,
      heads: 32,
      headsKv: 32,
    };
    const { settings, sources } = deviceRuntimeSettings({
      device,
      shape: big,
      contextLength: null,
      contextCap: 32_768,
      measured: null,
    });
    const usable = device.usableMemoryBytes.value;
    expect(fitVerdict(estimateMemory(big, settings.contextLength).totalBytes, usable).level).toBe("fits");
    expect(fitVerdict(estimateMemory(big, settings.contextLength * 2).totalBytes, usable).level).not.toBe(
      "fits",
    );
    expect(settings.contextLength).toBeLessThan(32_768);
    expect(sources.contextLength.basis).toBe("rule");

    const huge = deviceRuntimeSettings({
      device,
      shape: { ...big, fileBytes: 8 * GB },
      contextLength: null,
      contextCap: 4096,
      measured: null,
    });
    expect(huge.settings.contextLength).toBe(512);
    expect(huge.sources.contextLength.why).toMatch(/^the shortest recommended context; even at 512 tokens/);
  });

  it("takes what was measured on the device over the rules, and an asked context as asked", () => {
    const { settings, sources } = deviceRuntimeSettings({
      device: profile("pixel-8"),
      shape: small,
      contextLength: 2000,
      contextCap: 4096,
      measured: {
        threads: 4,
        gpuLayers: 0,
        batchSize: 256,
        flashAttention: "off",
        from: "run r_1, tg.128 21.0 tok/s",
      },
    });
    expect(settings).toMatchObject({
      threads: 4,
      batchSize: 256,
      flashAttention: "off",
      contextLength: 2000,
    });
    expect(sources.threads).toEqual({
      basis: "measured",
      why: "the fastest generation measured on the device (run r_1, tg.128 21.0 tok/s)",
    });
    expect(sources.contextLength.basis).toBe("asked");
    expect(sources.kvCacheType.basis).toBe("rule");
  });
});
