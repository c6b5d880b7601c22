// The addon's chunked jobs share one worker shape (native/src/abortHandle.h, jobEvents.h): progress
// events count chunks (done of total), and an aborted job rejects with code ABORTED and leaves no
// output file, partial or final. Real llama.cpp on the reference model and its calibration text.
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadNative } from "../../src/worker/native/loadAddon.js";
import type { CwbNativeAddon, NativeJobEvent } from "../../src/worker/native/AddonTypes.js";
import { referenceModel, referenceBuildTimeoutMs } from "../helpers/referenceModel.js";

type ProgressEvent = Extract<NativeJobEvent, { type: "progress" }>;

let addon: CwbNativeAddon;
let dir: string;
let modelPath: string;
let textPath: string;

beforeAll(async () => {
  addon = (await loadNative({ gpu: "cpu" })).addon;
  const ref = await referenceModel();
  modelPath = ref.modelPath;
  textPath = ref.calibrationText.path;
  dir = mkdtempSync(path.join(os.tmpdir(), "cwb-abortable-"));
}, referenceBuildTimeoutMs);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Progress events as they arrive; they cross threads and may land just after the promise settles. */
async function settledProgress(events: ProgressEvent[], lastDone: number): Promise<ProgressEvent[]> {
  for (const deadline = Date.now() + 5_000; events.at(-1)?.done !== lastDone && Date.now() < deadline;)
    await new Promise((resolve) => setTimeout(resolve, 10));
  return events;
}

describe("abortable addon jobs", () => {
  it("importance matrix: progress counts chunks; abort rejects with ABORTED and writes nothing", async () => {
    const events: ProgressEvent[] = [];
    const outPath = path.join(dir, "full.imatrix");
    const done = await addon.computeImatrix(
      { modelPath, textPath, outPath, nCtx: 64, nChunks: 3, nBatch: 64, threads: 2 },
      (e) => {
        if (e.type === "progress") events.push(e);
      },
    ).promise;
    expect(done.chunks).toBe(3);
    const progress = await settledProgress(events, 3);
    expect(progress.map((e) => [e.done, e.total])).toEqual([
      [1, 3],
      [2, 3],
      [3, 3],
    ]);
    for (const e of progress) expect(e.fraction).toBeCloseTo(e.done! / e.total!, 12);

    const abortedPath = path.join(dir, "aborted.imatrix");
    const task = addon.computeImatrix(
      { modelPath, textPath, outPath: abortedPath, nCtx: 64, nBatch: 64, threads: 2 },
      (e) => {
        if (e.type === "progress" && (e.done ?? 0) >= 1) task.abort();
      },
    );
    await expect(task.promise).rejects.toMatchObject({
      code: "ABORTED",
      message: "importance matrix aborted",
    });
    expect(readdirSync(dir).filter((f) => f.startsWith("aborted"))).toEqual([]);
  }, 300_000);

  it("layer importance: progress counts chunks; abort rejects with ABORTED", async () => {
    const events: ProgressEvent[] = [];
    const result = await addon.layerImportance(
      { modelPath, textPath, nCtx: 64, nChunks: 2, threads: 2 },
      (e) => {
        if (e.type === "progress") events.push(e);
      },
    ).promise;
    expect(result.chunks).toBe(2);
    expect((await settledProgress(events, 2)).map((e) => [e.done, e.total])).toEqual([
      [1, 2],
      [2, 2],
    ]);

    const task = addon.layerImportance({ modelPath, textPath, nCtx: 64, nChunks: 1000, threads: 2 }, (e) => {
      if (e.type === "progress" && (e.done ?? 0) >= 1) task.abort();
    });
    await expect(task.promise).rejects.toMatchObject({
      code: "ABORTED",
      message: "layer importance aborted",
    });
  }, 300_000);

  it("a job that fails for another reason carries no ABORTED code", async () => {
    const missing = path.join(dir, "missing.txt");
    const error: unknown = await addon
      .computeImatrix({ modelPath, textPath: missing, outPath: path.join(dir, "x.imatrix"), nCtx: 64 })
      .promise.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toBe(`${missing}: cannot open this text file`);
    expect((error as { code?: string }).code).toBeUndefined();
    expect(existsSync(path.join(dir, "x.imatrix"))).toBe(false);
  }, 300_000);
});
