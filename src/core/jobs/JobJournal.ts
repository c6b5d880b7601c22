// Every write of a job's state in the parent: state changes, progress and log lines, with the
// "jobs.updated" event and the waiters each change wakes. The scheduler, a job's run and the
// recovery at start all record through this one place, so no change goes unannounced.
import { isFinished, type Job, type JobProgress } from "../../shared/domain/job.js";
import { ProtocolError } from "../../shared/protocol/wire.js";
import type { EventBus } from "../rpc/eventBus.js";
import {
  findJobsByIdPrefix,
  finishJob,
  getJobRecord,
  insertJobLog,
  toJob,
  updateJobProgress,
  type JobOutcome,
  type JobRecord,
} from "../store/jobs.js";
import { now } from "../store/ids.js";
import type { Db } from "../store/Store.js";
import { databaseDiskFullError } from "../store/databaseDiskFull.js";
import type { LogLevel } from "./workerMessages.js";
import type { TrainingMetrics } from "../../shared/domain/trainingMetrics.js";

const maxLogMessage = 4000;
/** How often an end the full disk refused is tried again. */
const unrecordedRetryMs = 2000;

export class JobJournal {
  readonly db: Db;
  readonly #events: EventBus;
  readonly #waiters = new Map<string, ((job: Job) => void)[]>();
  /** Ends of jobs the database's full disk refused, by job id, waiting to be written. */
  readonly #unrecorded = new Map<string, JobOutcome>();
  #retryTimer: NodeJS.Timeout | undefined;

  constructor(db: Db, events: EventBus) {
    this.db = db;
    this.#events = events;
  }

  /** A job by id, or by a unique prefix of its id. */
  require(ref: string): JobRecord {
    const exact = getJobRecord(this.db, ref);
    if (exact) return exact;
    const matches = ref.length >= 4 ? findJobsByIdPrefix(this.db, ref) : [];
    if (matches.length === 1) return matches[0]!;
    if (matches.length > 1)
      throw new ProtocolError("AMBIGUOUS", `"${ref}" matches ${matches.length} jobs; type more of the id`);
    throw new ProtocolError("NOT_FOUND", `No job with id ${ref}`);
  }

  /** Announces the job's current row. */
  emit(id: string): Job {
    const job = toJob(getJobRecord(this.db, id)!);
    this.#events.emit("jobs.updated", job);
    return job;
  }

  /**
   * Records the end of a job (false when it had already ended) and wakes its waiters. An end the
   * database's full disk refuses is announced all the same and written once there is room.
   */
  finish(id: string, outcome: JobOutcome): boolean {
    let changed: boolean;
    try {
      changed = finishJob(this.db, id, outcome);
    } catch (error) {
      if (databaseDiskFullError(error, this.db.name) === null) throw error;
      this.#holdUnrecorded(id, outcome);
      return true;
    }
    if (changed) this.#announceEnd(this.emit(id));
    return changed;
  }

  #announceEnd(job: Job): void {
    this.#announceExperimentOf(job);
    this.resolveWaiters(job.id, job);
  }

  /** An experiment's state is derived from its jobs: it changed too. */
  #announceExperimentOf(job: Job): void {
    if (job.experimentId) this.#events.emit("experiments.changed", { id: job.experimentId });
  }

  /**
   * Keeps an end the database could not take: screens and waiters hear it now, and it is written
   * when space is freed. If the process exits first, the next start's recovery marks the job
   * interrupted (its owner is gone), so nothing stays "running".
   */
  #holdUnrecorded(id: string, outcome: JobOutcome): void {
    this.#unrecorded.set(id, outcome);
    const record = getJobRecord(this.db, id);
    if (record) {
      const job: Job = {
        ...toJob(record),
        state: outcome.state,
        finishedAt: outcome.finishedAt,
        result: outcome.result ?? null,
        error: outcome.error ?? outcome.errorDetail?.message ?? null,
        errorDetail: outcome.errorDetail ?? null,
      };
      this.#events.emit("jobs.updated", job);
      this.#announceEnd(job);
    }
    this.#retryTimer ??= setInterval(() => this.#recordHeldEnds(), unrecordedRetryMs);
    this.#retryTimer.unref();
  }

  #recordHeldEnds(): void {
    for (const [id, outcome] of this.#unrecorded) {
      try {
        finishJob(this.db, id, outcome);
      } catch (error) {
        if (databaseDiskFullError(error, this.db.name) === null) throw error;
        return; // still full: try again later
      }
      this.#unrecorded.delete(id);
      this.#announceExperimentOf(this.emit(id));
    }
    clearInterval(this.#retryTimer);
    this.#retryTimer = undefined;
  }

  progress(id: string, progress: JobProgress | null, metrics?: TrainingMetrics | null): void {
    this.#unlessDiskFull(() => updateJobProgress(this.db, id, progress, metrics));
  }

  /** Announces training points new since the last announcement (the row holds the whole series). */
  emitMetrics(jobId: string, added: TrainingMetrics): void {
    this.#events.emit("jobs.metrics", { jobId, ...added });
  }

  log(jobId: string, level: LogLevel, message: string): void {
    this.#unlessDiskFull(() =>
      insertJobLog(this.db, jobId, {
        at: now(),
        level,
        message: message.length > maxLogMessage ? `${message.slice(0, maxLogMessage)}…` : message,
      }),
    );
  }

  /**
   * A progress report or log line lost to a full disk must not take the process (and every job it
   * owns) down: the next report replaces it, and the job's own outcome says what happened.
   */
  #unlessDiskFull(write: () => void): void {
    try {
      write();
    } catch (error) {
      if (databaseDiskFullError(error, this.db.name) === null) throw error;
    }
  }

  /** Resolves when the (unfinished) job ends, whatever the outcome. */
  waitFor(id: string): Promise<Job> {
    return new Promise((resolve) => {
      const list = this.#waiters.get(id) ?? [];
      list.push(resolve);
      this.#waiters.set(id, list);
    });
  }

  /** Jobs someone waits on. */
  waitedIds(): string[] {
    return [...this.#waiters.keys()];
  }

  /** Wakes the job's waiters with `job`, or with its stored row. */
  resolveWaiters(id: string, job?: Job): void {
    const waiters = this.#waiters.get(id);
    if (!waiters) return;
    this.#waiters.delete(id);
    const record = job ? undefined : getJobRecord(this.db, id);
    const ended = job ?? (record ? toJob(record) : undefined);
    for (const resolve of waiters) if (ended) resolve(ended);
  }

  /** Polls a job another process runs until it ends, or returns its state at the deadline. */
  async waitForOther(id: string, timeoutMs: number): Promise<Job> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const record = getJobRecord(this.db, id)!;
      if (isFinished(record.state) || Date.now() >= deadline) return toJob(record);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
