// The addon's bandwidth probe and page-cache control (native/src/bandwidth.cpp, pageCache.cpp).
import { closeSync, fsyncSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadNative } from "../../src/worker/native/loadAddon.js";

const dir = mkdtempSync(path.join(os.tmpdir(), "cwb-probes-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("measureBandwidth", () => {
  it("reads a buffer with every thread and reports bytes per second", async () => {
    const { addon } = await loadNative({ gpu: "cpu" });
    const result = await addon.measureBandwidth({ bufferMiB: 64, threads: 2, passes: 2, repeats: 2 });
    expect(result.bufferBytes).toBe(64 * 1024 * 1024);
    expect(result.threads).toBe(2);
    expect(result.bytesPerRound).toBe(2 * 64 * 1024 * 1024);
    expect(result.roundSeconds).toHaveLength(2);
    expect(result.bestSeconds).toBe(Math.min(...result.roundSeconds));
    expect(result.bytesPerSecond).toBeCloseTo(result.bytesPerRound / result.bestSeconds, 0);
    expect(result.bytesPerSecond).toBeGreaterThan(0);
  });
  it("rejects impossible options with a named error", async () => {
    const { addon } = await loadNative({ gpu: "cpu" });
    expect(() => addon.measureBandwidth({ bufferMiB: 1 })).toThrow(/bufferMiB/);
    expect(() => addon.measureBandwidth({ threads: 0 })).toThrow(/threads/);
  });
});

describe("page cache", () => {
  it("reports a file's residency and drops it where the OS allows", async () => {
    const { addon } = await loadNative({ gpu: "cpu" });
    const file = path.join(dir, "data.bin");
    // Written and synced, so its cached pages are clean: the kernel may drop every one of them.
    const fd = openSync(file, "w");
    writeSync(fd, Buffer.alloc(8 * 1024 * 1024, 7));
    fsyncSync(fd);
    closeSync(fd);
    readFileSync(file);
    const before = addon.fileResidency(file);
    expect(before.evictSupported).toBe(false);
    if (process.platform === "win32") {
      expect(before.residentBefore).toBeNull();
      return;
    }
    expect(before.residentBefore).toBeGreaterThan(0.5);
    const evicted = addon.evictFromPageCache(file);
    expect(evicted.residentBefore).toBeGreaterThan(0.5);
    if (process.platform === "linux") {
      expect(evicted.evictSupported).toBe(true);
      expect(evicted.residentAfter!).toBeLessThan(0.05);
      expect(addon.fileResidency(file).residentBefore!).toBeLessThan(0.05);
    }
  });
  it("names the file it cannot open", async () => {
    const { addon } = await loadNative({ gpu: "cpu" });
    expect(() => addon.evictFromPageCache(path.join(dir, "missing.gguf"))).toThrow(/missing\.gguf/);
  });
});
