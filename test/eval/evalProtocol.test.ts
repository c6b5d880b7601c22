// The "eval.start" protocol call (what the app uses): planned and queued in the serving process, run in
// a worker, recorded as runs; a second call reuses the cached base distributions. Also: cancelling an
// evaluation leaves no base file behind and records nothing.
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Workbench } from "../../src/core/workbench.js";
import { createDispatcher } from "../../src/core/rpc/dispatcher.js";
import type { EvalJobResult } from "../../src/shared/domain/eval.js";
import { listRuns } from "../../src/core/store/runs.js";
import { listArtifacts } from "../../src/core/store/artifacts.js";
import { writeEvalText } from "./evalText.js";
import { evalBase, quantizedVariant } from "./models.js";

let dir: string;
let workbench: Workbench;
let baseId: string;
let variantId: string;
let text: string;

/** One protocol call through the real dispatcher (input and output validated by the zod schemas). */
async function call(method: string, params: unknown): Promise<unknown> {
  const frame = await createDispatcher(workbench.handlers())({ type: "call", id: 1, method, params });
  if (!frame.ok) throw new Error(`${method}: ${frame.error.message}`);
  return frame.value;
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "cwb-eval-protocol-"));
  const base = (await evalBase()).model;
  const variant = quantizedVariant(base, "Q4_0");
  text = writeEvalText(dir, 60_000);
  workbench = Workbench.open({ dataDir: path.join(dir, "data") });
  baseId = (await workbench.importModel(base)).model.id;
  variantId = (await workbench.importModel(variant)).model.id;
}, 1_800_000);

afterAll(async () => {
  await workbench?.jobs.close();
  workbench?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("eval.start", () => {
  it("queues an eval job that records a run per model, then reuses the cache", async () => {
    const settings = { contextSize: 128, chunks: 3 };
    const job = (await call("eval.start", {
      baseModelId: baseId,
      variantModelIds: [variantId],
      textPath: text,
      settings,
    })) as { id: string };
    const done = await workbench.jobs.waitFor(job.id);
    expect(done.state, done.error ?? "").toBe("succeeded");
    const result = done.result as EvalJobResult;
    expect(result.baseCache.reused).toBe(false);
    expect(result.variants[0]!.modelId).toBe(variantId);
    expect(listRuns(workbench.db, { kind: "eval" })).toHaveLength(2);

    const again = (await call("eval.start", {
      baseModelId: baseId,
      variantModelIds: [variantId],
      textPath: text,
      settings,
    })) as { id: string };
    const second = await workbench.jobs.waitFor(again.id);
    expect((second.result as EvalJobResult).baseCache).toMatchObject({
      reused: true,
      artifactId: result.baseCache.artifactId,
    });
    expect(listArtifacts(workbench.db, { kind: "base-logits" })).toHaveLength(1);
  }, 600_000);

  it("a cancelled evaluation leaves no base file and no run", async () => {
    const runsBefore = listRuns(workbench.db).length;
    const job = (await call("eval.start", {
      baseModelId: baseId,
      variantModelIds: [variantId],
      textPath: text,
      settings: { contextSize: 64, chunks: null, batchSize: 64 },
    })) as { id: string };
    // cancel once the base pass is under way
    for (let i = 0; i < 600; i++) {
      const j = workbench.jobs.get(job.id);
      if (j.progress?.fraction && j.progress.fraction > 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await workbench.jobs.cancel(job.id);
    const ended = await workbench.jobs.waitFor(job.id);
    expect(ended.state).toBe("cancelled");
    expect(listRuns(workbench.db).length).toBe(runsBefore);
    expect(listArtifacts(workbench.db, { kind: "base-logits" })).toHaveLength(1);
    const cacheDir = path.join(dir, "data", "artifacts", "base-logits");
    expect(readdirSync(cacheDir)).toHaveLength(1);
    const tmp = path.join(dir, "data", "tmp");
    expect(existsSync(tmp) ? readdirSync(tmp) : []).toEqual([]);
  }, 600_000);
});
