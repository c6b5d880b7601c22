// runs.ts and machineStore.ts against a real SQLite file with the full schema.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Store } from "../../src/core/store/Store.js";
import { insertModel, deleteModel } from "../../src/core/store/models.js";
import { deleteRun, getRun, insertRun, latestMetricByModel, listRuns } from "../../src/core/store/runs.js";
import { getMachine, listMachines, upsertMachine } from "../../src/core/machine/machineStore.js";
import { testMachine } from "../helpers/machine.js";
import { testModelMetadata } from "../helpers/modelMetadata.js";
import type { Metric } from "../../src/shared/domain/run.js";

let dir: string;
let store: Store;

const machine = testMachine("m1");

function addModel(id: string): void {
  insertModel(store.db, {
    id,
    path: `/models/${id}.gguf`,
    fileName: `${id}.gguf`,
    sizeBytes: 1000,
    sha256: `sha-${id}`,
    importedAt: "2026-11-23T09:00:00.000Z",
    metadata: testModelMetadata(id),
  });
}

const metric = (name: string, value: number, unit = "tok/s", stddev: number | null = null): Metric => ({
  name,
  value,
  unit,
  stddev,
  samples: stddev === null ? 1 : 3,
});

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "cwb-runs-"));
  store = Store.open(path.join(dir, "workbench.sqlite"));
  upsertMachine(store.db, machine);
  addModel("a");
  addModel("b");
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("runs", () => {
  it("stores a run with its metrics and reads it back", () => {
    const id = insertRun(
      store.db,
      {
        kind: "bench",
        modelId: "a",
        machineId: "m1",
        llamaBuild: "v0.5.0",
        nodeLlamaCpp: "3.22.1",
        settings: { reps: 3 },
        details: { note: "x" },
        createdAt: "2026-11-23T10:00:00.000Z",
      },
      [metric("pp.512", 900.5, "tok/s", 12.5), metric("memory.peak_rss", 123456789, "B")],
    );
    const run = getRun(store.db, id);
    expect(run).toMatchObject({
      id,
      kind: "bench",
      modelId: "a",
      machineId: "m1",
      settings: { reps: 3 },
      details: { note: "x" },
      baseModelId: null,
      jobId: null,
    });
    expect(run?.metrics).toEqual([
      metric("memory.peak_rss", 123456789, "B"),
      metric("pp.512", 900.5, "tok/s", 12.5),
    ]);
  });

  it("writes nothing when one metric is bad", () => {
    expect(() =>
      insertRun(
        store.db,
        { kind: "bench", modelId: "a", machineId: "m1", llamaBuild: "b", nodeLlamaCpp: "n", settings: {} },
        [metric("ok", 1), metric("bad", Number.NaN)],
      ),
    ).toThrow(/bad/);
    expect(() =>
      insertRun(
        store.db,
        { kind: "bench", modelId: "a", machineId: "m1", llamaBuild: "b", nodeLlamaCpp: "n", settings: {} },
        [metric("dup", 1), metric("dup", 2)],
      ),
    ).toThrow();
    expect(listRuns(store.db)).toEqual([]);
    expect(store.db.prepare("SELECT COUNT(*) AS n FROM metrics").get()).toEqual({ n: 0 });
  });

  it("refuses a run on an unknown machine or model", () => {
    expect(() =>
      insertRun(
        store.db,
        { kind: "bench", modelId: "a", machineId: "nope", llamaBuild: "b", nodeLlamaCpp: "n", settings: {} },
        [],
      ),
    ).toThrow(/FOREIGN KEY/);
    expect(() =>
      insertRun(
        store.db,
        { kind: "bench", modelId: "zz", machineId: "m1", llamaBuild: "b", nodeLlamaCpp: "n", settings: {} },
        [],
      ),
    ).toThrow(/FOREIGN KEY/);
  });

  it("filters, orders newest first and picks the latest metric per model", () => {
    const base = { machineId: "m1", llamaBuild: "b", nodeLlamaCpp: "n", settings: {} };
    const old = insertRun(
      store.db,
      { ...base, kind: "bench", modelId: "a", createdAt: "2026-11-23T10:00:00.000Z" },
      [metric("tg.128", 10)],
    );
    const mid = insertRun(
      store.db,
      { ...base, kind: "eval", modelId: "a", createdAt: "2026-11-23T11:00:00.000Z" },
      [metric("ppl", 7, "")],
    );
    const newest = insertRun(
      store.db,
      { ...base, kind: "bench", modelId: "a", createdAt: "2026-11-23T12:00:00.000Z" },
      [metric("tg.128", 12)],
    );
    const other = insertRun(
      store.db,
      { ...base, kind: "bench", modelId: "b", createdAt: "2026-11-23T09:00:00.000Z" },
      [metric("tg.128", 30)],
    );

    expect(listRuns(store.db).map((r) => r.id)).toEqual([newest, mid, old, other]);
    expect(listRuns(store.db, { kind: "bench", modelId: "a" }).map((r) => r.id)).toEqual([newest, old]);
    expect(listRuns(store.db, { kind: "bench", limit: 1 }).map((r) => r.id)).toEqual([newest]);
    expect(listRuns(store.db, { machineId: "other" })).toEqual([]);
    expect(listRuns(store.db, { kind: "eval" })[0]?.metrics).toEqual([metric("ppl", 7, "")]);

    const latest = latestMetricByModel(store.db, "bench", "tg.128");
    expect(latest.get("a")).toMatchObject({ value: 12, runId: newest });
    expect(latest.get("b")).toMatchObject({ value: 30, runId: other });
    expect(latestMetricByModel(store.db, "bench", "tg.128", "other").size).toBe(0);
  });

  it("deletes a run with its metrics, and a model's runs with the model", () => {
    const base = {
      kind: "bench" as const,
      machineId: "m1",
      llamaBuild: "b",
      nodeLlamaCpp: "n",
      settings: {},
    };
    const r1 = insertRun(store.db, { ...base, modelId: "a" }, [metric("x", 1)]);
    insertRun(store.db, { ...base, modelId: "b" }, [metric("x", 2)]);
    expect(deleteRun(store.db, r1)).toBe(true);
    expect(deleteRun(store.db, r1)).toBe(false);
    expect(getRun(store.db, r1)).toBeUndefined();
    deleteModel(store.db, "b");
    expect(listRuns(store.db)).toEqual([]);
    expect(store.db.prepare("SELECT COUNT(*) AS n FROM metrics").get()).toEqual({ n: 0 });
  });
});

describe("machines", () => {
  it("upserts by id, refreshing details only", () => {
    upsertMachine(store.db, {
      ...machine,
      cpu: "changed?",
      details: { ...machine.details, osRelease: "6.1" },
    });
    expect(listMachines(store.db)).toHaveLength(1);
    const stored = getMachine(store.db, "m1");
    expect(stored?.cpu).toBe("Test CPU");
    expect(stored?.details.osRelease).toBe("6.1");
    expect(getMachine(store.db, "nope")).toBeUndefined();
  });
});
