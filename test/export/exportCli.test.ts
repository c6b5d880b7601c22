// `cwb export` and `cwb export verify` end to end through real CLI processes and workers: a split
// bundle of the reference model is written atomically (no staging folder left), verifies (checksums,
// schema, llama.cpp loads the first shard), and a flipped byte or a truncated shard is refused with
// the file named.
import {
  cpSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  truncateSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { builtinDeviceProfiles } from "../../src/shared/devices/builtinDeviceProfiles.js";
import { exportManifest } from "../../src/shared/domain/exportManifest.js";
import { buildNode, runCwb } from "../cli/runCwb.js";
import { referenceBuildTimeoutMs, referenceModelPath } from "../helpers/referenceModel.js";

const work = mkdtempSync(path.join(os.tmpdir(), "cwb-export-"));
const dataDir = path.join(work, "data");
const bundle = path.join(work, "bundle");
let model = "";

beforeAll(async () => {
  model = await referenceModelPath();
  buildNode();
}, referenceBuildTimeoutMs);
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A fresh copy of the bundle to damage. */
function copyOf(name: string): string {
  const copy = path.join(work, name);
  cpSync(bundle, copy, { recursive: true });
  return copy;
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)],
  );
}

describe("cwb export", () => {
  it("writes a split bundle whose manifest lists every file, leaving no staging folder", async () => {
    const run = await runCwb([
      "--data-dir",
      dataDir,
      "--json",
      "export",
      model,
      "--out",
      bundle,
      "--split-max-size",
      "3M",
      "--device",
      "pixel-8",
    ]);
    expect(run.code, run.stderr).toBe(0);
    const manifest = exportManifest.parse(
      JSON.parse(readFileSync(path.join(bundle, "manifest.json"), "utf8")),
    );
    expect(manifest.split?.count).toBeGreaterThan(2);
    expect(manifest.entry).toMatch(/-00001-of-0000\d\.gguf$/);
    const device = manifest.device!;
    expect(device.profile).toEqual(builtinDeviceProfiles.find((p) => p.id === "pixel-8"));
    // Pixel 8: 1 × Cortex-X3 + 4 × Cortex-A715 are its performance cores, 4 × Cortex-A510 are not.
    expect(manifest.runtime).toMatchObject({
      threads: 5,
      gpuLayers: 0,
      kvCacheType: "f16",
      flashAttention: "auto",
    });
    expect(device.settingSources.threads).toEqual({
      basis: "rule",
      why: "the performance cores: 1 × Cortex-X3 + 4 × Cortex-A715",
    });
    expect(device.settingSources.contextLength.basis).toBe("rule");
    expect(device.prediction).toMatchObject({
      kind: "prediction",
      contextSize: manifest.runtime.contextLength,
    });
    const { variant } = device.prediction;
    expect(variant).toMatchObject({ fit: "fits", fileBytes: manifest.model.bytes });
    expect(variant.generation.lowTokensPerSecond).toBeGreaterThan(0);
    expect(variant.generation.lowTokensPerSecond).toBeLessThan(variant.generation.highTokensPerSecond);
    expect(
      walk(bundle)
        .map((f) => path.relative(bundle, f))
        .sort(),
    ).toEqual([...manifest.files.map((f) => f.path), "manifest.json"].sort());
    expect(readdirSync(work).filter((name) => name.includes("cwb-partial"))).toEqual([]);
  }, 300_000);

  it("refuses an unknown device, naming it and the known ones, before writing anything", async () => {
    const out = path.join(work, "for-unknown-device");
    const run = await runCwb(["--data-dir", dataDir, "export", model, "--out", out, "--device", "pixel-99"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/No device profile "pixel-99" \(known: iphone-15-pro, .*pixel-8.*\)/);
    expect(readdirSync(work).filter((name) => name.includes("for-unknown-device"))).toEqual([]);
  }, 120_000);

  it("refuses to write over an existing bundle", async () => {
    const run = await runCwb(["--data-dir", dataDir, "export", model, "--out", bundle]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`${bundle}: already exists`);
  }, 120_000);

  it("verifies the bundle: checksums, schema, and llama.cpp loads the first shard", async () => {
    const run = await runCwb(["--data-dir", dataDir, "--json", "export", "verify", bundle]);
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as {
      result?: { filesChecked: number; model: { firstToken: string } };
    };
    const verified =
      result.result ?? (result as unknown as { filesChecked: number; model: { firstToken: string } });
    expect(verified.filesChecked).toBeGreaterThan(5);
    expect(verified.model.firstToken.length).toBeGreaterThan(0);
  }, 300_000);

  it("refuses a bundle with one byte flipped, naming the file", async () => {
    const copy = copyOf("flipped");
    const shard = walk(copy).find((f) => /-00002-of-\d{5}\.gguf$/.test(f))!;
    const fd = openSync(shard, "r+");
    const byte = readFileSync(shard)[100_000]!;
    writeSync(fd, Buffer.from([byte ^ 1]), 0, 1, 100_000);
    const run = await runCwb(["--data-dir", dataDir, "export", "verify", copy]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`${shard}: altered`);
  }, 120_000);

  it("refuses a bundle with a truncated shard, naming the file", async () => {
    const copy = copyOf("truncated");
    const shard = walk(copy)
      .filter((f) => f.endsWith(".gguf"))
      .sort()
      .at(-1)!;
    truncateSync(shard, 1000);
    const run = await runCwb(["--data-dir", dataDir, "export", "verify", copy]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`${shard}: truncated`);
  }, 120_000);

  it("refuses a manifest that does not match its schema, naming the field", async () => {
    const copy = copyOf("bad-manifest");
    const file = path.join(copy, "manifest.json");
    const manifest = JSON.parse(readFileSync(file, "utf8")) as { runtime: { threads: unknown } };
    manifest.runtime.threads = "many";
    writeFileSync(file, JSON.stringify(manifest));
    const run = await runCwb(["--data-dir", dataDir, "export", "verify", copy]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`${file}: does not match the manifest schema: runtime.threads:`);
  }, 120_000);
});
