// The built-in device profiles are data checked by the schema: each one parses, every figure says
// where it comes from and how it was obtained, and the derivations the sources state hold.
import { describe, expect, it } from "vitest";
import { builtinDeviceProfiles } from "../../src/shared/devices/builtinDeviceProfiles.js";
import {
  deviceProfile,
  sourceBases,
  sourcedNumbers,
  type DeviceProfile,
} from "../../src/shared/domain/deviceProfile.js";

const GiB = 1024 ** 3;

describe("built-in device profiles", () => {
  it("ship the set the issue asks for: iPhones, Pixels, a Galaxy, a mid-range Android, a Raspberry Pi 5", () => {
    const ids = builtinDeviceProfiles.map((p) => p.id);
    expect(ids).toEqual(
      expect.arrayContaining(["iphone-15-pro", "iphone-16", "pixel-8", "pixel-9", "pixel-7a"]),
    );
    expect(ids.some((id) => id.startsWith("galaxy-"))).toBe(true);
    expect(ids.some((id) => id.startsWith("raspberry-pi-5"))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });

  for (const profile of builtinDeviceProfiles) {
    describe(profile.id, () => {
      it("parses with the schema as written", () => {
        expect(deviceProfile.parse(profile)).toEqual(profile);
      });

      it("says where every figure comes from and how it was obtained", () => {
        const figures = [
          ...sourcedNumbers(profile).map((n) => n.number),
          ...(profile.cpu ? [profile.cpu] : []),
          ...(profile.gpu ? [profile.gpu] : []),
        ];
        // RAM, usable memory, bandwidth, at least one storage limit, CPU and GPU.
        expect(figures.length).toBeGreaterThanOrEqual(6);
        for (const figure of figures) {
          expect(figure.source.length).toBeGreaterThan(20);
          expect(sourceBases).toContain(figure.basis);
        }
        // The usable memory is a derivation, so its source states the rule.
        expect(profile.usableMemoryBytes.basis).toBe("rule-of-thumb");
        expect(profile.usableMemoryBytes.source).toMatch(/RAM/);
      });

      it("leaves an app less memory than the device has, by the rule for its OS", () => {
        const ram = profile.ramBytes.value;
        const usable = profile.usableMemoryBytes.value;
        const expected: Record<string, number> = { ios: 0.6 * ram, android: 0.5 * ram, linux: ram - GiB };
        expect(usable).toBeCloseTo(expected[profile.os]!, 0);
      });

      it("has a bandwidth equal to the bus width × transfer rate its source states", () => {
        const match = /(\d+)-bit .* at (\d+) MT\/s/.exec(profile.memoryBandwidth.source);
        expect(match, profile.memoryBandwidth.source).not.toBeNull();
        const [, bits, rate] = match!;
        expect(profile.memoryBandwidth.value).toBe((Number(bits) / 8) * Number(rate) * 1e6);
      });
    });
  }
});

describe("device profile schema", () => {
  const valid: DeviceProfile = builtinDeviceProfiles[0]!;

  it("names each field that is wrong", () => {
    const result = deviceProfile.safeParse({
      ...valid,
      id: "Has Spaces",
      ramBytes: { value: -1, source: "", basis: "guess" },
    });
    expect(result.success).toBe(false);
    const paths = result.error!.issues.map((i) => i.path.join("."));
    expect(paths).toEqual(
      expect.arrayContaining(["id", "ramBytes.value", "ramBytes.source", "ramBytes.basis"]),
    );
  });

  it("refuses a figure without a source", () => {
    const { source: _dropped, ...unsourced } = valid.memoryBandwidth;
    expect(deviceProfile.safeParse({ ...valid, memoryBandwidth: unsourced }).success).toBe(false);
  });

  it("refuses another schema version", () => {
    expect(deviceProfile.safeParse({ ...valid, schemaVersion: 2 }).success).toBe(false);
  });

  it("needs no CPU, GPU or storage figures for a profile of one's own", () => {
    const { cpu: _c, gpu: _g, storage: _s, ...minimal } = valid;
    const parsed = deviceProfile.parse(minimal);
    expect(parsed.cpu).toBeNull();
    expect(parsed.storage).toEqual({ appSizeLimit: null, assetPackLimit: null, fileSizeLimit: null });
  });

  it("lists measured figures before spec-sheet ones", () => {
    const measured = { ...valid, memoryBandwidth: { ...valid.memoryBandwidth, basis: "measured" as const } };
    expect(sourcedNumbers(measured)[0]!.label).toBe("Memory bandwidth");
    expect(sourcedNumbers(valid)[0]!.label).toBe("RAM");
  });
});
