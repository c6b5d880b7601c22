// The parent half of a benchmark: records the machine and one 'bench' run with its metrics, in one
// transaction, and returns the report with the run's id. The measurement is the worker's value,
// already checked against the bench kind's contract.
import type { BenchMeasurement, BenchReport } from "../../shared/domain/bench.js";
import { upsertMachine } from "../machine/machineStore.js";
import { insertRun } from "../store/runs.js";
import type { Db } from "../store/Store.js";

export interface BenchRecordContext {
  db: Db;
  modelId: string;
  jobId: string | null;
  experimentId?: string | null;
}

export function recordBench(measured: BenchMeasurement, context: BenchRecordContext): BenchReport {
  const { db } = context;
  const runId = db.transaction(() => {
    upsertMachine(db, measured.machine);
    return insertRun(
      db,
      {
        kind: "bench",
        modelId: context.modelId,
        jobId: context.jobId,
        experimentId: context.experimentId ?? null,
        machineId: measured.machine.id,
        llamaBuild: measured.llamaBuild,
        nodeLlamaCpp: measured.nodeLlamaCpp,
        settings: measured.settings,
        details: measured.details,
      },
      measured.metrics,
    );
  })();
  return { ...measured, runId, modelId: context.modelId };
}
