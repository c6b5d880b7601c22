// `cwb devices …` as a real child process: tables and --json on stdout, refusals on stderr with
// the file, the field and the fix, exit codes, and a prediction table labelled as predicted.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DeviceEntry } from "../../src/shared/domain/deviceProfile.js";
import type { DevicePredictionTable } from "../../src/shared/domain/devicePrediction.js";
import { builtinDeviceProfiles } from "../../src/shared/devices/builtinDeviceProfiles.js";
import { writeGenerationResult } from "../helpers/deviceResultsFile.js";
import { writeTinyGguf, type TinyGgufInfo } from "../helpers/gguf.js";
import { buildNode, runCwb } from "./runCwb.js";

let dir: string;
let dataDir: string;
let tiny: TinyGgufInfo;

beforeAll(() => {
  buildNode();
  dir = mkdtempSync(path.join(os.tmpdir(), "cwb-cli-devices-"));
  dataDir = path.join(dir, "data");
  tiny = writeTinyGguf(path.join(dir, "tiny.gguf"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cwb = (...args: string[]) => runCwb(["--data-dir", dataDir, ...args]);
const pixel8 = builtinDeviceProfiles.find((p) => p.id === "pixel-8")!;

describe("cwb devices", () => {
  it("lists the built-in profiles as a table and as JSON", async () => {
    const table = await cwb("devices", "list");
    expect(table.code).toBe(0);
    expect(table.stdout.split("\n")[0]).toMatch(
      /^ID\s+NAME\s+KIND\s+OS\s+RAM\s+USABLE\s+BANDWIDTH\s+ORIGIN$/,
    );
    expect(table.stdout).toMatch(
      /pixel-8\s+Google Pixel 8\s+phone\s+android\s+8 GiB\s+4 GiB\s+68.3 GB\/s\s+built-in/,
    );

    const json = await cwb("--json", "devices", "list");
    const entries = JSON.parse(json.stdout) as DeviceEntry[];
    expect(entries.map((e) => e.profile.id)).toEqual(builtinDeviceProfiles.map((p) => p.id));
  });

  it("shows a profile with each figure's basis and source", async () => {
    const result = await cwb("devices", "show", "raspberry-pi-5-8gb");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /Memory bandwidth\s+17.1 GB\/s\s+derived from specs\s+derived: 32-bit LPDDR4X/,
    );
    expect(result.stdout).toMatch(/File size limit\s+4.29 GB\s+spec sheet\s+FAT32/);
    expect(result.stdout).toContain("cpu:    4× Cortex-A76 2.4 GHz");
  });

  it("adds a profile from a file, edits it with flags, and removes it", async () => {
    const file = path.join(dir, "phone.json");
    writeFileSync(file, JSON.stringify({ ...pixel8, id: "lab-phone", name: "Lab phone" }));
    const added = await cwb("devices", "add", "--file", file);
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).toContain("Added lab-phone");

    const edited = await cwb(
      "--json",
      "devices",
      "edit",
      "lab-phone",
      "--bandwidth-gbs",
      "41.5",
      "--source",
      "STREAM copy on the lab phone",
    );
    expect(edited.code, edited.stderr).toBe(0);
    const entry = JSON.parse(edited.stdout) as DeviceEntry;
    expect(entry.profile.memoryBandwidth).toEqual({
      value: 41.5e9,
      source: "STREAM copy on the lab phone",
      basis: "measured",
    });
    // The measured figure is listed before the spec-sheet ones.
    const shown = await cwb("devices", "show", "lab-phone");
    const rows = shown.stdout.split("\n");
    expect(rows[rows.findIndex((line) => line.startsWith("FIGURE")) + 1]).toMatch(
      /^Memory bandwidth\s+41.5 GB\/s\s+measured/,
    );

    const removed = await cwb("devices", "remove", "lab-phone");
    expect(removed).toMatchObject({ code: 0, stdout: "Removed lab-phone\n" });
    const gone = await cwb("devices", "show", "lab-phone");
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(
      /^cwb: error: No device profile "lab-phone" \(known: iphone-15-pro, [a-z0-9, -]+\)\n {2}to fix: see "cwb devices list" for the device ids\n$/,
    );
  });

  it("copies a built-in, and refuses to edit the built-in itself with the fix", async () => {
    const copied = await cwb(
      "devices",
      "add",
      "--from",
      "pixel-8",
      "--id",
      "pixel-8-lab",
      "--name",
      "Pixel 8 (lab)",
    );
    expect(copied.code, copied.stderr).toBe(0);
    expect(copied.stdout).toContain("origin:  user, copied from pixel-8");

    const refused = await cwb("devices", "edit", "pixel-8", "--name", "Mine");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('"pixel-8" is a built-in device profile and cannot be edited');
    expect(refused.stderr).toContain('to fix: copy it first ("cwb devices add --from ID --id NEW_ID")');
  });

  it("refuses an invalid profile file, naming the file and the field", async () => {
    const file = path.join(dir, "bad.json");
    writeFileSync(
      file,
      JSON.stringify({
        ...pixel8,
        id: "bad-phone",
        ramBytes: { value: "8 GB", source: "box", basis: "spec" },
      }),
    );
    const result = await cwb("devices", "add", "--file", file);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${file}: not a valid device profile: ramBytes.value:`);
    const list = await cwb("--json", "devices", "list");
    expect((JSON.parse(list.stdout) as DeviceEntry[]).some((e) => e.profile.id === "bad-phone")).toBe(false);
  });

  it("predicts a GGUF file on a device: fit with margin, generation as a range, labelled predicted", async () => {
    const human = await cwb(
      "devices",
      "predict",
      "raspberry-pi-5-8gb",
      "--variants",
      tiny.path,
      "--ctx",
      "512",
    );
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toContain("Raspberry Pi 5 (8 GB) (raspberry-pi-5-8gb), context 512 tokens");
    expect(human.stdout).toMatch(/tiny\.gguf\s+.*\+\d.*GiB\s+fits\s+predicted [\d,.]+–[\d,.]+ tok\/s/);
    expect(human.stdout).toContain("Every figure above is a prediction, not a measurement.");
    expect(human.stdout).toContain("Prompt processing: not predicted");

    const json = await cwb(
      "--json",
      "devices",
      "predict",
      "raspberry-pi-5-8gb",
      "--variants",
      tiny.path,
      "--ctx",
      "512",
    );
    const table = JSON.parse(json.stdout) as DevicePredictionTable;
    expect(table.efficiency.basis).toBe("default");
    const [row] = table.rows;
    expect(row).toMatchObject({ modelId: null, path: tiny.path, fileBytes: tiny.sizeBytes, fit: "fits" });
    expect(row!.generation.lowTokensPerSecond).toBeLessThan(row!.generation.highTokensPerSecond);
  });

  it("shows results imported for a device first, and predicts from them", async () => {
    const imported = await cwb("--json", "models", "import", tiny.path);
    expect(imported.code, imported.stderr).toBe(0);
    const { model } = JSON.parse(imported.stdout) as {
      model: { sha256: string; metadata: { parameterCount: number } };
    };
    const file = writeGenerationResult(path.join(dir, "pi.jsonl"), {
      sha256: model.sha256,
      sizeBytes: tiny.sizeBytes,
      parameterCount: model.metadata.parameterCount,
      tokensPerSecond: 900,
      stddev: 10,
    });
    const recorded = await cwb("results", "import", file, "--device", "raspberry-pi-5-8gb");
    expect(recorded.code, recorded.stderr).toBe(0);

    const shown = await cwb("devices", "show", "raspberry-pi-5-8gb");
    const lines = shown.stdout.split("\n");
    // Measured figures first: per variant the measured speed with its spread and the share of the
    // bandwidth limit it gives, then the efficiency factor, and only then the profile's figures.
    const heading = lines.findIndex((line) => line.startsWith("Measured on Raspberry Pi 5"));
    expect(heading).toBeGreaterThan(0);
    expect(lines[heading + 1]).toMatch(/^VARIANT\s+GENERATION\s+PROMPT\s+EFFICIENCY$/);
    expect(lines[heading + 2]).toMatch(/^tiny\.gguf\s+900 tok\/s ± 10 tok\/s\s+—\s+\S+ % ± \S+ %$/);
    const factor = lines.findIndex((line) => line.startsWith("efficiency factor: "));
    expect(lines[factor]).toContain("from 1 result(s) measured on this device");
    expect(factor).toBeLessThan(lines.findIndex((line) => line.startsWith("FIGURE")));

    const json = await cwb("--json", "devices", "predict", "raspberry-pi-5-8gb", "--ctx", "512");
    const table = JSON.parse(json.stdout) as DevicePredictionTable;
    expect(table.efficiency).toMatchObject({ basis: "device", samples: 1 });
    expect(table.rows[0]!.generation.highTokensPerSecond).toBeCloseTo(920, 6);
  });

  it("names a variant that is neither in the library nor a file", async () => {
    const result = await cwb("devices", "predict", "pixel-8", "--variants", "no-such-model");
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('No model "no-such-model" in the library');
  });
});
