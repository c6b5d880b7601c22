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

export class JobJournal {
  readonly db: Db;
  readonly #events: EventBus;
  readonly #waiters = new Map<string, ((job: Job) => void)[]>();

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

  /** Records the end of a job (false when it had already ended) and wakes its waiters. */
  finish(id: string, outcome: JobOutcome): boolean {
    const changed = finishJob(this.db, id, outcome);
    if (changed) {
      const job = this.emit(id);
      // An experiment's state is derived from its jobs: it changed too.
      if (job.experimentId) this.#events.emit("experiments.changed", { id: job.experimentId });
      this.resolveWaiters(id);
    }
    return changed;
  }

  progress(id: string, progress: JobProgress | null, metrics?: TrainingMetrics | null): void {
    updateJobProgress(this.db, id, progress, metrics);
  }

  /** Announces training points new since the last announcement (the row holds the whole series). */
  emitMetrics(jobId: string, added: TrainingMetrics): void {
    this.#events.emit("jobs.metrics", { jobId, ...added });
  }

  log(jobId: string, level: LogLevel, message: string): void {
    try {
      insertJobLog(this.db, jobId, {
        at: now(),
        level,
        message: message.length > maxLogMessage ? `${message.slice(0, maxLogMessage)}…` : message,
      });
    } catch (error) {
      // A log line lost to a full disk must not take the process (and every job it owns) down;
      // the job's own outcome says what happened.
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

  resolveWaiters(id: string): void {
    const waiters = this.#waiters.get(id);
    if (!waiters) return;
    this.#waiters.delete(id);
    const record = getJobRecord(this.db, id);
    for (const resolve of waiters) if (record) resolve(toJob(record));
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
