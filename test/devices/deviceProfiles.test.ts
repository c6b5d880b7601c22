// Device profiles in core against a real SQLite file: built-ins listed from code, the user's own
// added, copied, edited and removed; refusals coded and worded with the field and the file; an older
// database upgraded by migration 0006 keeps its data and takes profiles; and the prediction table
// built from library models and this data folder's CPU benchmarks.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  addDevice,
  copyDevice,
  editDevice,
  getDevice,
  listDevices,
  parseDeviceProfile,
  readDeviceProfileFile,
  removeDevice,
} from "../../src/core/devices/deviceProfiles.js";
import {
  importedDeviceSamples,
  machineEfficiencySamples,
  predictForDevice,
} from "../../src/core/devices/predictForDevice.js";
import { importDeviceResults } from "../../src/core/deviceResults/importDeviceResults.js";
import { importModel } from "../../src/core/library/importModel.js";
import { CodedError } from "../../src/core/errors.js";
import { upsertMachine } from "../../src/core/machine/machineStore.js";
import { schemaVersion } from "../../src/core/store/migrate.js";
import { migrations } from "../../src/core/store/migrations/index.js";
import { insertModel } from "../../src/core/store/models.js";
import { insertRun } from "../../src/core/store/runs.js";
import { Store } from "../../src/core/store/Store.js";
import { builtinDeviceProfiles } from "../../src/shared/devices/builtinDeviceProfiles.js";
import type { DeviceProfile } from "../../src/shared/domain/deviceProfile.js";
import type { Metric } from "../../src/shared/domain/run.js";
import {
  deviceEfficiencySample,
  efficiencyRange,
  spreadSigmas,
} from "../../src/shared/metrics/devicePrediction.js";
import { weightBytesPerToken } from "../../src/shared/metrics/weightBytesPerToken.js";
import { writeGenerationResult } from "../helpers/deviceResultsFile.js";
import { writeTinyGguf } from "../helpers/gguf.js";
import { testMachine } from "../helpers/machine.js";

let dir: string;
let store: Store;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "cwb-devices-"));
  store = Store.open(path.join(dir, "workbench.sqlite"));
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const pixel8 = builtinDeviceProfiles.find((p) => p.id === "pixel-8")!;
const mine: DeviceProfile = { ...pixel8, id: "my-phone", name: "My phone" };

/** The coded error `fn` throws. */
function codedError(fn: () => unknown): CodedError {
  try {
    fn();
  } catch (error) {
    if (error instanceof CodedError) return error;
    throw error;
  }
  throw new Error("expected a CodedError");
}

describe("device profiles in the store", () => {
  it("lists the built-ins before any user profile exists", () => {
    const entries = listDevices(store.db);
    expect(entries.map((e) => e.profile.id)).toEqual(builtinDeviceProfiles.map((p) => p.id));
    expect(entries.every((e) => e.origin === "built-in" && e.updatedAt === null)).toBe(true);
  });

  it("adds, reads back, edits and removes a user profile, surviving a reopen of the file", () => {
    addDevice(store.db, mine);
    store.close();
    store = Store.open(path.join(dir, "workbench.sqlite"));
    const added = getDevice(store.db, "my-phone");
    expect(added).toMatchObject({ origin: "user", copiedFrom: null, profile: mine });
    expect(listDevices(store.db).at(-1)!.profile.id).toBe("my-phone");

    const faster = {
      ...mine,
      memoryBandwidth: { value: 40e9, source: "my own probe", basis: "measured" as const },
    };
    const edited = editDevice(store.db, "my-phone", faster);
    expect(edited.profile.memoryBandwidth).toEqual(faster.memoryBandwidth);

    removeDevice(store.db, "my-phone");
    expect(codedError(() => getDevice(store.db, "my-phone"))).toMatchObject({
      code: "DEVICE_NOT_FOUND",
      remedies: ["list-devices"],
    });
  });

  it("copies a built-in under a new id and remembers where it came from", () => {
    const copy = copyDevice(store.db, "pixel-8", "pixel-8-mine");
    expect(copy).toMatchObject({ origin: "user", copiedFrom: "pixel-8" });
    expect(copy.profile).toEqual({ ...pixel8, id: "pixel-8-mine", name: "Google Pixel 8 (copy)" });
  });

  it("refuses to edit or remove a built-in, pointing at a copy instead", () => {
    for (const attempt of [
      () => editDevice(store.db, "pixel-8", pixel8),
      () => removeDevice(store.db, "pixel-8"),
    ]) {
      expect(codedError(attempt)).toMatchObject({
        code: "DEVICE_BUILT_IN",
        remedies: ["copy-built-in-device"],
      });
    }
    expect(getDevice(store.db, "pixel-8").profile).toEqual(pixel8);
  });

  it("refuses an id that is taken, by a built-in or a user profile", () => {
    expect(codedError(() => addDevice(store.db, pixel8)).code).toBe("DEVICE_EXISTS");
    addDevice(store.db, mine);
    expect(codedError(() => addDevice(store.db, mine)).code).toBe("DEVICE_EXISTS");
  });

  it("refuses to change a profile's id while editing it", () => {
    addDevice(store.db, mine);
    const error = codedError(() => editDevice(store.db, "my-phone", { ...mine, id: "other" }));
    expect(error.code).toBe("BAD_DEVICE_PROFILE");
    expect(error.message).toMatch(/^id: .*"other".*"my-phone"/);
  });

  it("names the field and the file of an invalid profile file", async () => {
    const file = path.join(dir, "phone.json");
    writeFileSync(file, JSON.stringify({ ...mine, usableMemoryBytes: { value: 3e9, basis: "spec" } }));
    const input = await readDeviceProfileFile(file);
    const error = codedError(() => addDevice(store.db, input, { file }));
    expect(error).toMatchObject({ code: "BAD_DEVICE_PROFILE", file });
    expect(error.message).toContain(file);
    expect(error.message).toContain("usableMemoryBytes.source");

    writeFileSync(file, "{ not json");
    await expect(readDeviceProfileFile(file)).rejects.toMatchObject({ code: "BAD_DEVICE_PROFILE", file });
  });

  it("says which schema version a profile from another version was written for", () => {
    const error = codedError(() => parseDeviceProfile({ ...mine, schemaVersion: 7 }, { file: "x.json" }));
    expect(error.message).toBe(
      "x.json: schemaVersion: the profile is written for version 7, this build reads version 1",
    );
  });
});

describe("migration 0006 on an older database", () => {
  it("upgrades a version-5 file with data and then takes profiles", () => {
    store.close();
    const file = path.join(dir, "old.sqlite");
    const old = Store.open(file, { migrations: migrations.slice(0, 5) });
    old.db
      .prepare(
        "INSERT INTO jobs (id, kind, params_json, state, created_at) VALUES ('old-job', 'debug.sleep', '{}', 'succeeded', '2026-11-01T00:00:00Z')",
      )
      .run();
    old.close();

    store = Store.open(file);
    expect(schemaVersion(store.db)).toBe(migrations.length);
    expect(store.db.prepare("SELECT id FROM jobs").all()).toEqual([{ id: "old-job" }]);
    addDevice(store.db, mine);
    expect(
      listDevices(store.db)
        .filter((e) => e.origin === "user")
        .map((e) => e.profile.id),
    ).toEqual(["my-phone"]);
  });
});

describe("predictions from the store", () => {
  const machine = testMachine("here");
  const metric = (name: string, value: number, unit: string, stddev: number | null = null): Metric => ({
    name,
    value,
    unit,
    stddev,
    samples: 3,
  });

  function addModel(id: string, sizeBytes: number): void {
    insertModel(store.db, {
      id,
      path: `/models/${id}.gguf`,
      fileName: `${id}.gguf`,
      sizeBytes,
      sha256: `sha-${id}`,
      importedAt: "2026-11-23T09:00:00.000Z",
      metadata: {
        architecture: "llama",
        name: id,
        parameterCount: 1e9,
        layers: 16,
        heads: 32,
        headsKv: 8,
        embeddingLength: 2048,
        feedForwardLength: 8192,
        contextLength: 131072,
        vocabularySize: 128256,
        fileType: "MOSTLY_Q4_K_M",
        bitsPerWeight: 4.8,
        chatTemplate: null,
        tensors: [
          { name: "token_embd.weight", type: "Q4_K", shape: [2048, 128256], bytes: 0.15e9 },
          { name: "blk.0.ffn_up.weight", type: "Q4_K", shape: [2048, 8192], bytes: sizeBytes - 0.15e9 },
        ],
      },
    });
  }

  function addBench(modelId: string, backend: string, share: number, createdAt: string): void {
    insertRun(
      store.db,
      {
        kind: "bench",
        modelId,
        machineId: "here",
        llamaBuild: "b1",
        nodeLlamaCpp: "3.21.1",
        settings: { backend, contextSize: 512 },
        createdAt,
      },
      [metric("tg.bandwidth_share", share, "ratio", 0.01), metric("memory.estimate", 1.2e9, "B")],
    );
  }

  it("takes the efficiency from this data folder's CPU benchmarks only", () => {
    upsertMachine(store.db, machine);
    addModel("q4", 0.8e9);
    addBench("q4", "cpu", 0.62, "2026-11-23T10:00:00.000Z");
    addBench("q4", "vulkan", 0.2, "2026-11-23T11:00:00.000Z");
    expect(machineEfficiencySamples(store.db)).toEqual([{ value: 0.62, stddev: 0.01 }]);
  });

  it("predicts every library model on a device, with node-llama-cpp's estimate from its benchmark", async () => {
    upsertMachine(store.db, machine);
    addModel("q4", 0.8e9);
    addModel("f16", 2.5e9);
    addBench("q4", "cpu", 0.62, "2026-11-23T10:00:00.000Z");
    const table = await predictForDevice(store.db, { deviceId: "iphone-15-pro", contextSize: 4096 });
    expect(table.device).toEqual({ id: "iphone-15-pro", name: "iPhone 15 Pro" });
    expect(table.efficiency).toEqual(efficiencyRange([], [{ value: 0.62, stddev: 0.01 }]));
    expect(table.rows.map((r) => r.label).sort()).toEqual(["f16.gguf", "q4.gguf"]);
    const q4 = table.rows.find((r) => r.label === "q4.gguf")!;
    expect(q4.fit).toBe("fits");
    // Without an output matrix the token embedding doubles as one (tied) and is read whole.
    expect(q4.generation.weightBytesPerToken).toBe(0.8e9);
    expect(q4.nodeLlamaCppEstimate).toEqual({ bytes: 1.2e9, contextSize: 512 });
    expect(table.rows.find((r) => r.label === "f16.gguf")!.nodeLlamaCppEstimate).toBeNull();
  });

  it("uses results measured on the device instead, once the caller has them", async () => {
    addModel("q4", 0.8e9);
    const deviceSamples = [{ value: 0.41, stddev: 0.02 }];
    const table = await predictForDevice(store.db, { deviceId: "pixel-8", contextSize: 2048, deviceSamples });
    expect(table.efficiency.basis).toBe("device");
    expect(table.efficiency.typical).toBe(0.41);
  });

  it("corrects the efficiency with results imported for the device under its profile id", async () => {
    const tiny = writeTinyGguf(path.join(dir, "tiny.gguf"));
    const model = (await importModel(store.db, tiny.path)).model;
    const file = writeGenerationResult(path.join(dir, "pixel-8.jsonl"), {
      sha256: model.sha256,
      sizeBytes: tiny.sizeBytes,
      parameterCount: model.metadata.parameterCount,
      tokensPerSecond: 950,
      stddev: 20,
    });
    const imported = await importDeviceResults(store.db, { path: file, device: "pixel-8" });
    expect(imported.status).toBe("recorded");

    const bytes = weightBytesPerToken(model.metadata.tensors);
    const expected = deviceEfficiencySample(950, 20, bytes, pixel8.memoryBandwidth.value);
    expect(importedDeviceSamples(store.db, pixel8)).toEqual([expected]);
    // Another device's results do not count for this one.
    expect(
      importedDeviceSamples(
        store.db,
        builtinDeviceProfiles.find((p) => p.id === "pixel-9")!,
      ),
    ).toEqual([]);

    const table = await predictForDevice(store.db, { deviceId: "pixel-8", contextSize: 512 });
    expect(table.efficiency).toEqual(efficiencyRange([expected], []));
    expect(table.efficiency.basis).toBe("device");
    // Predicting the measured variant brackets what was measured.
    const { generation } = table.rows.find((r) => r.modelId === model.id)!;
    expect(generation.lowTokensPerSecond).toBeLessThan(950);
    expect(generation.highTokensPerSecond).toBeCloseTo(950 + spreadSigmas * 20, 6);
  });

  it("names an unknown device with a coded error", async () => {
    await expect(
      predictForDevice(store.db, { deviceId: "nokia-3310", contextSize: 512 }),
    ).rejects.toMatchObject({
      code: "DEVICE_NOT_FOUND",
    });
  });
});
