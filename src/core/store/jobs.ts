// Rows of the job queue (jobs) and the lines jobs log (job_logs). State changes are conditional
// UPDATEs (`WHERE state = 'queued'`, ...) so two processes sharing the database cannot both claim,
// or both finish, the same job.
import type { Db } from "./Store.js";
import { appError, type AppError } from "../../shared/domain/errors.js";
import type { Job, JobProgress, JobState } from "../../shared/domain/job.js";
import type { LogLevel } from "../jobs/workerMessages.js";
import type { TrainingMetrics } from "../../shared/domain/trainingMetrics.js";

/** A job as the queue sees it: the protocol's Job plus who runs it and whether a cancel is pending. */
export interface JobRecord extends Job {
  /** The queue (process) that claimed it; null for rows written before ownership existed. */
  owner: string | null;
  cancelRequestedAt: string | null;
  /** Every job this one waits for (a graph step may wait for several; `dependsOn` is the first). */
  needs: string[];
  /** The named step hooks of a graph step (core/jobs/JobGraph.ts), with their planned input. */
  hook: StepHookRef | null;
  /**
   * A training job's series so far (shared/domain/trainingMetrics.ts), kept in progress_json beside
   * the progress; not part of the Job its events carry, which would resend every point each time.
   */
  metrics: TrainingMetrics | null;
}

/** A graph step's hooks, by name, and the input its plan gave them (plain JSON). */
export interface StepHookRef {
  name: string;
  input: unknown;
}

export interface NewJob {
  id: string;
  kind: string;
  params: unknown;
  owner: string;
  createdAt: string;
  dependsOn?: string | null;
  experimentId?: string | null;
  /** Graph steps: the step's key in its experiment, all the jobs it waits for, its hooks. */
  stepKey?: string | null;
  needs?: readonly string[];
  hook?: StepHookRef | null;
}

export interface JobLogLine {
  at: string;
  level: LogLevel;
  message: string;
}

interface JobRow {
  id: string;
  kind: string;
  params_json: string;
  state: JobState;
  progress_json: string | null;
  result_json: string | null;
  error: string | null;
  error_json: string | null;
  experiment_id: string | null;
  depends_on: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  owner: string | null;
  cancel_requested_at: string | null;
  step_key: string | null;
  needs_json: string | null;
  hook_json: string | null;
}

function parseJson(text: string | null): unknown {
  return text === null ? null : (JSON.parse(text) as unknown);
}

/** The stored error data; null when absent (older rows) or unreadable (then `error` still says why). */
function parseErrorDetail(text: string | null): AppError | null {
  if (text === null) return null;
  try {
    const parsed = appError.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** progress_json holds the progress and, for training jobs, the metrics series beside it. */
function splitProgress(text: string | null): {
  progress: JobProgress | null;
  metrics: TrainingMetrics | null;
} {
  const stored = parseJson(text) as (Partial<JobProgress> & { metrics?: TrainingMetrics }) | null;
  if (stored === null) return { progress: null, metrics: null };
  const { metrics, ...progress } = stored;
  return {
    progress: typeof progress.step === "string" ? (progress as JobProgress) : null,
    metrics: metrics ?? null,
  };
}

function progressJson(progress: JobProgress | null, metrics: TrainingMetrics | null | undefined): string {
  return JSON.stringify(metrics ? { ...progress, metrics } : progress);
}

function toRecord(row: JobRow): JobRecord {
  const { progress, metrics } = splitProgress(row.progress_json);
  return {
    id: row.id,
    kind: row.kind,
    params: parseJson(row.params_json),
    state: row.state,
    progress,
    result: parseJson(row.result_json),
    error: row.error,
    errorDetail: parseErrorDetail(row.error_json),
    experimentId: row.experiment_id,
    dependsOn: row.depends_on,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    stepKey: row.step_key,
    owner: row.owner,
    cancelRequestedAt: row.cancel_requested_at,
    needs: row.needs_json
      ? (JSON.parse(row.needs_json) as string[])
      : row.depends_on === null
        ? []
        : [row.depends_on],
    hook: parseJson(row.hook_json) as StepHookRef | null,
    metrics,
  };
}

/** The protocol view of a record (drops owner, the cancel flag and the graph's bookkeeping). */
export function toJob(record: JobRecord): Job {
  const {
    owner: _owner,
    cancelRequestedAt: _cancel,
    needs: _needs,
    hook: _hook,
    metrics: _metrics,
    ...job
  } = record;
  return job;
}

export function insertJob(db: Db, job: NewJob): void {
  const needs = job.needs ?? (job.dependsOn ? [job.dependsOn] : []);
  db.prepare(
    `INSERT INTO jobs (id, kind, params_json, state, experiment_id, depends_on, created_at, owner,
       step_key, needs_json, hook_json)
     VALUES (?, ?, ?, 'queued', ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    job.id,
    job.kind,
    JSON.stringify(job.params ?? null),
    job.experimentId ?? null,
    job.dependsOn ?? needs[0] ?? null,
    job.createdAt,
    job.owner,
    job.stepKey ?? null,
    needs.length > 1 ? JSON.stringify(needs) : null,
    job.hook ? JSON.stringify(job.hook) : null,
  );
}

/** A graph step's parameters, built by its hook when it starts (before that they are null). */
export function updateJobParams(db: Db, id: string, params: unknown): void {
  db.prepare("UPDATE jobs SET params_json = ? WHERE id = ?").run(JSON.stringify(params ?? null), id);
}

/** The jobs of one experiment, oldest first. */
export function listExperimentJobRecords(db: Db, experimentId: string): JobRecord[] {
  const rows = db
    .prepare("SELECT * FROM jobs WHERE experiment_id = ? ORDER BY rowid")
    .all(experimentId) as JobRow[];
  return rows.map(toRecord);
}

export function getJobRecord(db: Db, id: string): JobRecord | undefined {
  const row = db.prepare("SELECT * FROM jobs WHERE id = ?").get(id) as JobRow | undefined;
  return row && toRecord(row);
}

/** Newest first. */
export function listJobRecords(db: Db, limit: number): JobRecord[] {
  const rows = db
    .prepare("SELECT * FROM jobs ORDER BY created_at DESC, rowid DESC LIMIT ?")
    .all(limit) as JobRow[];
  return rows.map(toRecord);
}

/** Jobs whose id starts with `prefix` (a user may type the first few characters). */
export function findJobsByIdPrefix(db: Db, prefix: string): JobRecord[] {
  const escaped = prefix.replace(/[\\%_]/g, (c) => `\\${c}`);
  const rows = db
    .prepare("SELECT * FROM jobs WHERE id LIKE ? ESCAPE '\\' ORDER BY rowid LIMIT 20")
    .all(`${escaped}%`) as JobRow[];
  return rows.map(toRecord);
}

/** In the given states, oldest first (queue order). */
export function listJobRecordsInStates(db: Db, states: readonly JobState[]): JobRecord[] {
  const marks = states.map(() => "?").join(", ");
  const rows = db
    .prepare(`SELECT * FROM jobs WHERE state IN (${marks}) ORDER BY rowid`)
    .all(...states) as JobRow[];
  return rows.map(toRecord);
}

/** queued → running for `owner`; false if another process got there first or it was cancelled. */
export function claimJob(db: Db, id: string, owner: string, startedAt: string): boolean {
  return (
    db
      .prepare(
        "UPDATE jobs SET state = 'running', owner = ?, started_at = ?, progress_json = NULL WHERE id = ? AND state = 'queued'",
      )
      .run(owner, startedAt, id).changes > 0
  );
}

/** Takes over queued jobs of a process that is gone. */
export function adoptQueuedJob(db: Db, id: string, owner: string): boolean {
  return db.prepare("UPDATE jobs SET owner = ? WHERE id = ? AND state = 'queued'").run(owner, id).changes > 0;
}

/** The running job's progress, and its training series when it has one. */
export function updateJobProgress(
  db: Db,
  id: string,
  progress: JobProgress | null,
  metrics?: TrainingMetrics | null,
): void {
  db.prepare("UPDATE jobs SET progress_json = ? WHERE id = ? AND state = 'running'").run(
    progressJson(progress, metrics),
    id,
  );
}

export interface JobOutcome {
  state: Extract<JobState, "succeeded" | "failed" | "cancelled" | "interrupted">;
  finishedAt: string;
  result?: unknown;
  error?: string | null;
  /** The error as data (a failed job); its message is also `error`. */
  errorDetail?: AppError | null;
  /** Final progress to keep (e.g. 100 % on success); undefined leaves the last one. */
  progress?: JobProgress | null;
  /** Kept beside the final progress (a training job's series). */
  metrics?: TrainingMetrics | null;
}

/** Ends a job that is queued or running; false if it had already ended. */
export function finishJob(db: Db, id: string, outcome: JobOutcome): boolean {
  const progress =
    outcome.progress === undefined ? undefined : progressJson(outcome.progress, outcome.metrics);
  return (
    db
      .prepare(
        `UPDATE jobs SET state = ?, finished_at = ?, result_json = ?, error = ?, error_json = ?,
           progress_json = CASE WHEN ? THEN ? ELSE progress_json END
         WHERE id = ? AND state IN ('queued', 'running')`,
      )
      .run(
        outcome.state,
        outcome.finishedAt,
        outcome.result === undefined ? null : JSON.stringify(outcome.result),
        outcome.error ?? outcome.errorDetail?.message ?? null,
        outcome.errorDetail ? JSON.stringify(outcome.errorDetail) : null,
        progress === undefined ? 0 : 1,
        progress ?? null,
        id,
      ).changes > 0
  );
}

/** Asks the owning process to cancel a running job; it polls for this flag. */
export function requestJobCancel(db: Db, id: string, at: string): boolean {
  return (
    db
      .prepare(
        "UPDATE jobs SET cancel_requested_at = COALESCE(cancel_requested_at, ?) WHERE id = ? AND state = 'running'",
      )
      .run(at, id).changes > 0
  );
}

/** Of `ids`, the running ones someone asked to cancel. */
export function cancelRequestedIds(db: Db, ids: readonly string[]): string[] {
  if (ids.length === 0) return [];
  const marks = ids.map(() => "?").join(", ");
  const rows = db
    .prepare(
      `SELECT id FROM jobs WHERE id IN (${marks}) AND state = 'running' AND cancel_requested_at IS NOT NULL`,
    )
    .all(...ids) as { id: string }[];
  return rows.map((row) => row.id);
}

export function insertJobLog(db: Db, jobId: string, line: JobLogLine): void {
  db.prepare("INSERT INTO job_logs (job_id, at, level, message) VALUES (?, ?, ?, ?)").run(
    jobId,
    line.at,
    line.level,
    line.message,
  );
}

/** The last `tail` lines, oldest first. */
export function listJobLogs(db: Db, jobId: string, tail: number): JobLogLine[] {
  const rows = db
    .prepare(
      "SELECT at, level, message FROM (SELECT id, at, level, message FROM job_logs WHERE job_id = ? ORDER BY id DESC LIMIT ?) ORDER BY id",
    )
    .all(jobId, tail) as JobLogLine[];
  return rows;
}
