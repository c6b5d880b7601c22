// Importing device results into a real SQLite store holding the reference model: rows matched by
// tensor bytes and description or by hash, recorded as bench runs on the device's machine, the same
// file refused the second time, a twin variant (same tensors, another file) making rows ambiguous,
// and files with a bad or unknown row recording nothing.
import { appendFileSync, copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { importDeviceResults } from "../../src/core/deviceResults/importDeviceResults.js";
import { CodedError } from "../../src/core/errors.js";
import { importModel } from "../../src/core/library/importModel.js";
import { getMachine } from "../../src/core/machine/machineStore.js";
import { listRuns } from "../../src/core/store/runs.js";
import { Store, type Db } from "../../src/core/store/Store.js";
import type { ModelRecord } from "../../src/shared/domain/model.js";
import { referenceBuildTimeoutMs, referenceModelPath } from "../helpers/referenceModel.js";
import { writeTinyGguf } from "../helpers/gguf.js";
import { llamaBenchTwice } from "./llamaBenchOutput.js";

let dir: string;
let store: Store;
let db: Db;
let reference: ModelRecord;
let twinPath: string;
let json: string;
let md: string;

function write(name: string, text: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

async function codeOf(promise: Promise<unknown>): Promise<CodedError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof CodedError) return error;
    throw error;
  }
  throw new Error("no error");
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "cwb-device-results-"));
  store = Store.open(path.join(dir, "workbench.sqlite"));
  db = store.db;
  const modelPath = await referenceModelPath();
  reference = (await importModel(db, modelPath)).model;
  // The same tensors in another file (other bytes after them): a variant llama-bench cannot tell apart.
  twinPath = path.join(dir, "twin.gguf");
  copyFileSync(modelPath, twinPath);
  appendFileSync(twinPath, Buffer.alloc(4096));
  const output = await llamaBenchTwice("json", "md");
  json = output.out;
  md = output.err;
}, referenceBuildTimeoutMs);

afterAll(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("results import", () => {
  it("records llama-bench md rows matched by size and description as one run on the device", async () => {
    const file = write("phone.md", md);
    const outcome = await importDeviceResults(db, { path: file, device: "pixel-8" });
    expect(outcome.status).toBe("recorded");
    expect(outcome.rows.map((r) => [r.metric, r.match])).toEqual([
      ["pp.16", { modelId: reference.id, by: "size" }],
      ["tg.4", { modelId: reference.id, by: "size" }],
    ]);
    const runs = listRuns(db, { machineId: "device:pixel-8" });
    expect(runs.map((r) => r.id)).toEqual(outcome.runs.map((r) => r.runId));
    expect(runs[0]!.modelId).toBe(reference.id);
    expect(runs[0]!.metrics.map((m) => [m.name, m.unit])).toEqual([
      ["pp.16", "tok/s"],
      ["tg.4", "tok/s"],
    ]);
    expect(runs[0]!.metrics[0]!.value).toBe(outcome.rows[0]!.tokensPerSecond.mean);
    expect(runs[0]!.metrics[0]!.stddev).toBe(outcome.rows[0]!.tokensPerSecond.stddev);
    expect(runs[0]!.llamaBuild).toMatch(/^b\d+ \(\w+\)$/);
    expect(getMachine(db, "device:pixel-8")?.details.device).toBe("pixel-8");
  });

  it("does not record the same file twice, and says which runs it already made", async () => {
    const file = write("phone-again.md", md);
    const before = listRuns(db).length;
    const outcome = await importDeviceResults(db, { path: file, device: "pixel-8" });
    expect(outcome.status).toBe("already-imported");
    expect(outcome.runs).toHaveLength(1);
    expect(listRuns(db).length).toBe(before);
  });

  it("matches a row by the SHA-256 it carries even when the size would fit two variants", async () => {
    await importModel(db, twinPath);
    const rows = JSON.parse(json.slice(json.indexOf("["))) as Record<string, unknown>[];
    const file = write(
      "hashed.jsonl",
      rows.map((row) => JSON.stringify({ ...row, model_sha256: reference.sha256 })).join("\n"),
    );
    const outcome = await importDeviceResults(db, { path: file, device: "pixel-8" });
    expect(outcome.status).toBe("recorded");
    expect(outcome.rows.map((r) => r.match)).toEqual([
      { modelId: reference.id, by: "hash" },
      { modelId: reference.id, by: "hash" },
    ]);
  });

  it("asks when a row fits two variants, records the choice, refuses a variant it does not fit", async () => {
    const file = write("phone.json", json);
    const first = await importDeviceResults(db, { path: file, device: "moto-g" });
    expect(first.status).toBe("needs-choice");
    expect(first.runs).toEqual([]);
    expect(first.rows[0]!.candidates.map((c) => c.path).sort()).toEqual([reference.path, twinPath].sort());
    expect(listRuns(db, { machineId: "device:moto-g" })).toEqual([]);

    const twin = first.rows[0]!.candidates.find((c) => c.path === twinPath)!;
    const chosen = await importDeviceResults(db, { path: file, device: "moto-g", variant: twin.modelId });
    expect(chosen.status).toBe("recorded");
    expect(chosen.rows.map((r) => r.match)).toEqual([
      { modelId: twin.modelId, by: "chosen" },
      { modelId: twin.modelId, by: "chosen" },
    ]);
    expect(listRuns(db, { machineId: "device:moto-g" })[0]!.metrics[0]!.samples).toBe(2);

    // A model of the library the rows do not fit cannot be chosen for them.
    const tiny = (await importModel(db, writeTinyGguf(path.join(dir, "tiny.gguf")).path)).model;
    const other = write("other.json", json.replace(/"n_threads": 1/g, '"n_threads": 2'));
    const refused = await codeOf(
      importDeviceResults(db, { path: other, device: "moto-g", variant: tiny.id }),
    );
    expect(refused.code).toBe("RESULTS_AMBIGUOUS");
    expect(refused.message).toContain(`cannot be ${tiny.id}`);
    expect(listRuns(db, { machineId: "device:moto-g" })).toHaveLength(1);
  });

  it("records nothing when one row matches no variant, naming the line", async () => {
    const before = listRuns(db).length;
    const lines = json.slice(json.indexOf("[")).split("\n");
    const at = lines.findLastIndex((l) => l.includes('"model_size"'));
    lines[at] = lines[at]!.replace(/\d+/, "123");
    const file = write("unknown.json", lines.join("\n"));
    const error = await codeOf(
      importDeviceResults(db, { path: file, device: "pixel-8", variant: reference.id }),
    );
    expect(error.code).toBe("RESULTS_UNMATCHED");
    expect(error.message).toContain(
      `line ${lines.findLastIndex((l) => l.trim() === "{") + 1}: no model in the library fits`,
    );
    expect(listRuns(db).length).toBe(before);
  });

  it("records nothing from a file with one bad row, naming the file and the line", async () => {
    const before = listRuns(db).length;
    const lines = md.split("\n");
    const at = lines.findLastIndex((l) => l.includes("tg4"));
    lines[at] = lines[at]!.replace(/\d+\.\d+ ± /, "fast ± ");
    const file = write("bad.md", lines.join("\n"));
    const error = await codeOf(importDeviceResults(db, { path: file, device: "pixel-8" }));
    expect(error.code).toBe("BAD_RESULTS_FILE");
    expect(error.message).toContain(`${file}: line ${at + 1}, field t/s`);
    expect(listRuns(db).length).toBe(before);
  });

  it("refuses a device id that cannot name a device", async () => {
    const error = await codeOf(importDeviceResults(db, { path: write("x.md", md), device: "my phone" }));
    expect(error.code).toBe("BAD_DEVICE_ID");
  });
});
