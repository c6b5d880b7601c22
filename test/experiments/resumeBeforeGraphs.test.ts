// An experiment recorded before job graphs (schema 4: its jobs have no step keys) cannot be resumed,
// since nothing says which steps are left: Resume refuses with a coded error that says why and points
// at re-running it, and queues nothing. A real database file made at schema 4, then opened by the
// current code (migrated), with a real queue.
import { afterAll, describe, expect, it } from "vitest";
import { appErrorOf } from "../../src/shared/domain/errors.js";
import { resumeExperiment } from "../../src/core/experiments/experimentGraph.js";
import { ensureDataPaths } from "../../src/core/paths.js";
import { insertExperiment } from "../../src/core/store/experiments.js";
import { listExperimentJobRecords } from "../../src/core/store/jobs.js";
import { migrations } from "../../src/core/store/migrations/index.js";
import { Store } from "../../src/core/store/Store.js";
import { describeErrorForCli } from "../../src/headless/cli/errorWords.js";
import { errorText, thrownErrorWords } from "../../src/renderer/errorWords.js";
import { makeDataDir, openHarness, removeDataDir } from "../jobs/queueHarness.js";

const dataDirs: string[] = [];
afterAll(() => dataDirs.forEach(removeDataDir));

describe("resuming an experiment recorded before job graphs", () => {
  it("is refused with a coded error that says why and to re-run it; nothing is queued", async () => {
    const dataDir = makeDataDir();
    dataDirs.push(dataDir);
    const before = Store.open(ensureDataPaths(dataDir).database, { migrations: migrations.slice(0, 4) });
    const experimentId = insertExperiment(before.db, { name: "old sweep", kind: "sweep", recipe: {} }).id;
    // What a sweep killed under schema 4 left: a finished quantize and an interrupted one.
    const job = before.db.prepare(
      "INSERT INTO jobs (id, kind, params_json, state, error, created_at, finished_at, experiment_id) VALUES (?, 'quantize', '{}', ?, ?, ?, ?, ?)",
    );
    const t = new Date().toISOString();
    job.run("old-1", "succeeded", null, t, t, experimentId);
    job.run("old-2", "interrupted", "interrupted: the app closed", t, t, experimentId);
    before.close();

    const h = await openHarness({ dataDir });
    try {
      const host = { db: h.store.db, jobs: h.queue, events: h.events };
      let thrown: unknown;
      try {
        resumeExperiment(host, experimentId);
      } catch (error) {
        thrown = error;
      }
      expect(appErrorOf(thrown)).toMatchObject({
        code: "EXPERIMENT_NOT_RESUMABLE",
        remedies: ["rerun-experiment"],
      });
      expect((thrown as Error).message).toMatch(/cannot be resumed: its jobs were recorded before/);
      expect(describeErrorForCli(thrown)).toContain(
        'to fix: run the experiment again ("cwb experiments rerun',
      );
      expect(errorText(thrownErrorWords(thrown))).toContain(
        "To fix: Click Re-run on the experiment in History",
      );
      expect(listExperimentJobRecords(h.store.db, experimentId).map((r) => [r.id, r.state])).toEqual([
        ["old-1", "succeeded"],
        ["old-2", "interrupted"],
      ]);
    } finally {
      await h.close();
    }
  });
});
