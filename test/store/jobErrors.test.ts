// A failed job's error as data (code, message, llama.cpp's reason, remedies) is kept in the jobs
// table and reads back the same after the database is reopened; a row written before errors were
// data (only the message) still reads, with no data.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { finishJob, getJobRecord, insertJob, listJobRecords, toJob } from "../../src/core/store/jobs.js";
import { Store } from "../../src/core/store/Store.js";
import { migrations } from "../../src/core/store/migrations/index.js";
import type { AppError } from "../../src/shared/domain/errors.js";
import { job as jobSchema } from "../../src/shared/domain/job.js";

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "cwb-job-errors-"));
  file = path.join(dir, "workbench.sqlite");
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const t = "2026-11-23T09:00:00.000Z";

const requantize: AppError = {
  code: "REQUANTIZE_DISABLED",
  message: "/m/q8.gguf: the model is already quantized (it has q8_0 tensors)",
  llamaReason: "requantizing from type q8_0 is disabled",
  remedies: ["allow-requantize"],
  file: "/m/q8.gguf",
};

describe("a failed job's error as data", () => {
  it("survives closing and reopening the database, next to the message", () => {
    const store = Store.open(file);
    insertJob(store.db, { id: "j1", kind: "quantize", params: {}, owner: "me", createdAt: t });
    expect(
      finishJob(store.db, "j1", {
        state: "failed",
        finishedAt: t,
        error: requantize.message,
        errorDetail: requantize,
      }),
    ).toBe(true);
    store.close();

    const reopened = Store.open(file);
    try {
      const job = toJob(getJobRecord(reopened.db, "j1")!);
      expect(job.error).toBe(requantize.message);
      expect(job.errorDetail).toEqual(requantize);
      // What crosses the transports parses with the protocol's own schema.
      expect(jobSchema.parse(job).errorDetail).toEqual(requantize);
    } finally {
      reopened.close();
    }
  });

  it("reads a string-only row from an older database: the message, and no data", () => {
    const old = Store.open(file, { migrations: migrations.slice(0, 3) });
    old.db
      .prepare(
        "INSERT INTO jobs (id, kind, params_json, state, error, created_at, finished_at) VALUES ('old', 'quantize', '{}', 'failed', 'quantization failed', ?, ?)",
      )
      .run(t, t);
    old.close();

    const store = Store.open(file);
    try {
      const [job] = listJobRecords(store.db, 10).map(toJob);
      expect(job).toMatchObject({
        id: "old",
        state: "failed",
        error: "quantization failed",
        errorDetail: null,
      });
      expect(jobSchema.parse(job).errorDetail).toBeNull();
    } finally {
      store.close();
    }
  });

  it("ignores unreadable error data rather than failing to list the job", () => {
    const store = Store.open(file);
    try {
      insertJob(store.db, { id: "j2", kind: "quantize", params: {}, owner: "me", createdAt: t });
      finishJob(store.db, "j2", { state: "failed", finishedAt: t, error: "broke" });
      store.db.prepare("UPDATE jobs SET error_json = ? WHERE id = 'j2'").run('{"code":"NOT_A_CODE"}');
      expect(toJob(getJobRecord(store.db, "j2")!)).toMatchObject({ error: "broke", errorDetail: null });
    } finally {
      store.close();
    }
  });
});
