// The device comparison on a real SQLite store: the reference model and its Q8_0 variant benchmarked
// here by llama.cpp's llama-bench, its JSON imported for a device through the real import path, then
// per variant the measured tg/pp with spread and sample count, the prediction, and the error of a
// prediction made without the variant's own result (leave-one-out).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { importDeviceResults } from "../../src/core/deviceResults/importDeviceResults.js";
import { compareOnDevice } from "../../src/core/devices/compareOnDevice.js";
import { getDevice } from "../../src/core/devices/deviceProfiles.js";
import { importModel } from "../../src/core/library/importModel.js";
import { listRuns } from "../../src/core/store/runs.js";
import { Store, type Db } from "../../src/core/store/Store.js";
import type { ModelRecord } from "../../src/shared/domain/model.js";
import { weightBytesPerToken } from "../../src/shared/metrics/weightBytesPerToken.js";
import { llamaBenchJson } from "../deviceResults/llamaBenchOutput.js";
import { quantizedVariant } from "../eval/models.js";
import { referenceBuildTimeoutMs, referenceModelPath } from "../helpers/referenceModel.js";

let dir: string;
let store: Store;
let db: Db;
let f16: ModelRecord;
let q8: ModelRecord;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "cwb-compare-device-"));
  store = Store.open(path.join(dir, "workbench.sqlite"));
  db = store.db;
  const base = await referenceModelPath();
  const q8Path = quantizedVariant(base, "Q8_0");
  f16 = (await importModel(db, base)).model;
  q8 = (await importModel(db, q8Path)).model;
  // Both variants measured for pixel-8; only the F16 one for pixel-9.
  const both = path.join(dir, "pixel-8.json");
  writeFileSync(both, llamaBenchJson([base, q8Path]));
  expect((await importDeviceResults(db, { path: both, device: "pixel-8" })).status).toBe("recorded");
  const one = path.join(dir, "pixel-9.json");
  writeFileSync(one, llamaBenchJson([base]));
  expect((await importDeviceResults(db, { path: one, device: "pixel-9" })).status).toBe("recorded");
}, referenceBuildTimeoutMs);

afterAll(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

function metricOf(device: string, model: ModelRecord, name: string) {
  const [run] = listRuns(db, { machineId: `device:${device}`, modelId: model.id });
  const metric = run?.metrics.find((m) => m.name === name);
  if (!run || !metric) throw new Error(`no ${name} of ${model.fileName} on ${device}`);
  return { run, metric };
}

/** A share of the bandwidth limit from one result: its value ± 2 stddev, the low end at least half the value. */
function heldOutShare(model: ModelRecord, device: string) {
  const bandwidth = getDevice(db, device).profile.memoryBandwidth.value;
  const { metric } = metricOf(device, model, "tg.4");
  const share = (metric.value * weightBytesPerToken(model.metadata.tensors)) / bandwidth;
  const spread = (2 * (metric.stddev ?? 0) * weightBytesPerToken(model.metadata.tensors)) / bandwidth;
  return { low: Math.max(share - spread, share / 2), high: share + spread };
}

describe("compareOnDevice", () => {
  it("shows each variant's measured tg and pp with spread and sample count", async () => {
    const comparison = await compareOnDevice(db, {
      deviceId: "pixel-8",
      contextSize: 4096,
      models: [f16.id, q8.id],
    });
    expect(comparison.device).toEqual({ id: "pixel-8", name: expect.stringContaining("Pixel 8") as string });
    expect(comparison.rows.map((r) => r.prediction.modelId)).toEqual([f16.id, q8.id]);
    for (const [row, model] of [
      [comparison.rows[0]!, f16],
      [comparison.rows[1]!, q8],
    ] as const) {
      const tg = metricOf("pixel-8", model, "tg.4");
      const pp = metricOf("pixel-8", model, "pp.16");
      expect(row.measured.generation).toEqual({
        metric: "tg.4",
        tokensPerSecond: tg.metric.value,
        stddev: tg.metric.stddev,
        samples: 2,
        runId: tg.run.id,
        measuredAt: tg.run.createdAt,
      });
      expect(row.measured.prompt).toMatchObject({
        metric: "pp.16",
        tokensPerSecond: pp.metric.value,
        samples: 2,
      });
      expect(row.measured.generation!.stddev).not.toBeNull();
      // The measured generation as a share of the bandwidth limit, with its spread.
      const bandwidth = getDevice(db, "pixel-8").profile.memoryBandwidth.value;
      const limit = bandwidth / weightBytesPerToken(model.metadata.tensors);
      expect(row.measured.efficiency!.value).toBeCloseTo(tg.metric.value / limit, 12);
      expect(row.measured.efficiency!.stddev).toBeCloseTo(tg.metric.stddev! / limit, 12);
    }
    // The prediction shown where nothing was measured uses both results.
    expect(comparison.efficiency).toMatchObject({ basis: "device", samples: 2 });
  });

  it("checks each variant against a prediction made from the other variant's result only", async () => {
    const comparison = await compareOnDevice(db, {
      deviceId: "pixel-8",
      contextSize: 4096,
      models: [f16.id, q8.id],
    });
    const bandwidth = getDevice(db, "pixel-8").profile.memoryBandwidth.value;
    for (const [row, model, other] of [
      [comparison.rows[0]!, f16, q8],
      [comparison.rows[1]!, q8, f16],
    ] as const) {
      const share = heldOutShare(other, "pixel-8");
      const bytes = weightBytesPerToken(model.metadata.tensors);
      const low = (bandwidth * share.low) / bytes;
      const high = (bandwidth * share.high) / bytes;
      const measured = metricOf("pixel-8", model, "tg.4").metric.value;
      const check = row.check!;
      expect(check.efficiency).toMatchObject({ basis: "device", samples: 1 });
      expect(check.lowTokensPerSecond).toBeCloseTo(low, 6);
      expect(check.highTokensPerSecond).toBeCloseTo(high, 6);
      expect(check.error).toBeCloseTo(measured / ((low + high) / 2) - 1, 9);
      expect(check.inside).toBe(measured >= low && measured <= high);
    }
  });

  it("falls back to the spec-sheet path when the variant is the only one measured on the device", async () => {
    const comparison = await compareOnDevice(db, {
      deviceId: "pixel-9",
      contextSize: 4096,
      models: [f16.id, q8.id],
    });
    const [measuredRow, unmeasuredRow] = comparison.rows;
    // No other result on pixel-9 and no CPU benchmark in this store: the default efficiency.
    expect(measuredRow!.check!.efficiency).toMatchObject({
      basis: "default",
      samples: 0,
      low: 0.35,
      high: 0.75,
    });
    expect(comparison.efficiency).toMatchObject({ basis: "device", samples: 1 });
    expect(unmeasuredRow!.measured).toEqual({ generation: null, prompt: null, efficiency: null });
    expect(unmeasuredRow!.check).toBeNull();
    expect(unmeasuredRow!.prediction.fit).toBe("fits");
  });
});
