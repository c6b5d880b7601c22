// Rows of runs and their metrics. A run and all its metrics are written in one transaction, so a
// crash never leaves a run without numbers; reads return each run with its metrics attached.
import { crashPoint } from "../crashPoint.js";
import type { Db } from "./Store.js";
import { newId, now } from "./ids.js";
import type { Metric, RunKind, RunRecord } from "../../shared/domain/run.js";

export interface NewRun {
  id?: string;
  kind: RunKind;
  modelId: string;
  baseModelId?: string | null;
  textSetId?: string | null;
  experimentId?: string | null;
  jobId?: string | null;
  machineId: string;
  llamaBuild: string;
  nodeLlamaCpp: string;
  settings: unknown;
  details?: unknown;
  createdAt?: string;
}

export interface RunFilter {
  modelId?: string;
  kind?: RunKind;
  machineId?: string;
  experimentId?: string;
  /** Newest first; default 200. */
  limit?: number;
}

interface RunRow {
  id: string;
  kind: RunKind;
  model_id: string;
  base_model_id: string | null;
  text_set_id: string | null;
  experiment_id: string | null;
  job_id: string | null;
  machine_id: string;
  llama_build: string;
  node_llama_cpp: string;
  settings_json: string;
  details_json: string;
  created_at: string;
}

interface MetricRow {
  run_id: string;
  name: string;
  value: number;
  unit: string;
  stddev: number | null;
  samples: number | null;
}

/** Inserts the run and its metrics atomically; returns the run id. Metric names must be unique. */
export function insertRun(db: Db, run: NewRun, metrics: readonly Metric[]): string {
  const id = run.id ?? newId();
  const insertRunRow = db.prepare(
    `INSERT INTO runs (id, kind, model_id, base_model_id, text_set_id, experiment_id, job_id, machine_id, llama_build,
                       node_llama_cpp, settings_json, details_json, created_at)
     VALUES (@id, @kind, @modelId, @baseModelId, @textSetId, @experimentId, @jobId, @machineId, @llamaBuild,
             @nodeLlamaCpp, @settingsJson, @detailsJson, @createdAt)`,
  );
  const insertMetric = db.prepare(
    "INSERT INTO metrics (run_id, name, value, unit, stddev, samples) VALUES (@runId, @name, @value, @unit, @stddev, @samples)",
  );
  db.transaction(() => {
    insertRunRow.run({
      id,
      kind: run.kind,
      modelId: run.modelId,
      baseModelId: run.baseModelId ?? null,
      textSetId: run.textSetId ?? null,
      experimentId: run.experimentId ?? null,
      jobId: run.jobId ?? null,
      machineId: run.machineId,
      llamaBuild: run.llamaBuild,
      nodeLlamaCpp: run.nodeLlamaCpp,
      settingsJson: JSON.stringify(run.settings ?? {}),
      detailsJson: JSON.stringify(run.details ?? {}),
      createdAt: run.createdAt ?? now(),
    });
    crashPoint("runs.in-transaction");
    for (const m of metrics) {
      if (!Number.isFinite(m.value))
        throw new RangeError(`metric ${m.name}: value ${m.value} is not a finite number`);
      insertMetric.run({
        runId: id,
        name: m.name,
        value: m.value,
        unit: m.unit,
        stddev: m.stddev,
        samples: m.samples,
      });
    }
  })();
  return id;
}

function toMetric(row: MetricRow): Metric {
  return { name: row.name, value: row.value, unit: row.unit, stddev: row.stddev, samples: row.samples };
}

function toRecord(row: RunRow, metrics: Metric[]): RunRecord {
  return {
    id: row.id,
    kind: row.kind,
    modelId: row.model_id,
    baseModelId: row.base_model_id,
    textSetId: row.text_set_id,
    experimentId: row.experiment_id,
    jobId: row.job_id,
    machineId: row.machine_id,
    llamaBuild: row.llama_build,
    nodeLlamaCpp: row.node_llama_cpp,
    settings: JSON.parse(row.settings_json) as unknown,
    details: JSON.parse(row.details_json) as unknown,
    createdAt: row.created_at,
    metrics,
  };
}

export function getRunMetrics(db: Db, runId: string): Metric[] {
  return (db.prepare("SELECT * FROM metrics WHERE run_id = ? ORDER BY name").all(runId) as MetricRow[]).map(
    toMetric,
  );
}

export function getRun(db: Db, id: string): RunRecord | undefined {
  const row = db.prepare("SELECT * FROM runs WHERE id = ?").get(id) as RunRow | undefined;
  return row && toRecord(row, getRunMetrics(db, row.id));
}

/** Runs matching every given filter field, newest first, each with its metrics. */
export function listRuns(db: Db, filter: RunFilter = {}): RunRecord[] {
  const where: string[] = [];
  const params: Record<string, unknown> = { limit: filter.limit ?? 200 };
  if (filter.modelId !== undefined) {
    where.push("model_id = @modelId");
    params.modelId = filter.modelId;
  }
  if (filter.kind !== undefined) {
    where.push("kind = @kind");
    params.kind = filter.kind;
  }
  if (filter.machineId !== undefined) {
    where.push("machine_id = @machineId");
    params.machineId = filter.machineId;
  }
  if (filter.experimentId !== undefined) {
    where.push("experiment_id = @experimentId");
    params.experimentId = filter.experimentId;
  }
  const rows = db
    .prepare(
      `SELECT * FROM runs ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY created_at DESC, id LIMIT @limit`,
    )
    .all(params) as RunRow[];
  if (rows.length === 0) return [];
  const metricRows = db
    .prepare(`SELECT * FROM metrics WHERE run_id IN (SELECT value FROM json_each(?)) ORDER BY run_id, name`)
    .all(JSON.stringify(rows.map((r) => r.id))) as MetricRow[];
  const byRun = new Map<string, Metric[]>();
  for (const m of metricRows) {
    const list = byRun.get(m.run_id) ?? [];
    list.push(toMetric(m));
    byRun.set(m.run_id, list);
  }
  return rows.map((row) => toRecord(row, byRun.get(row.id) ?? []));
}

/** One metric of the newest run of each model (of a kind, optionally on one machine): chart input. */
export function latestMetricByModel(
  db: Db,
  kind: RunKind,
  metricName: string,
  machineId?: string,
): Map<string, Metric & { runId: string }> {
  const rows = db
    .prepare(
      `SELECT r.model_id, m.* FROM runs r JOIN metrics m ON m.run_id = r.id
       WHERE r.kind = @kind AND m.name = @name AND (@machineId IS NULL OR r.machine_id = @machineId)
       ORDER BY r.created_at DESC, r.id`,
    )
    .all({ kind, name: metricName, machineId: machineId ?? null }) as (MetricRow & { model_id: string })[];
  const latest = new Map<string, Metric & { runId: string }>();
  for (const row of rows) {
    if (!latest.has(row.model_id)) latest.set(row.model_id, { ...toMetric(row), runId: row.run_id });
  }
  return latest;
}

/** Deletes a run; its metrics go with it (ON DELETE CASCADE). */
export function deleteRun(db: Db, id: string): boolean {
  return db.prepare("DELETE FROM runs WHERE id = ?").run(id).changes > 0;
}
