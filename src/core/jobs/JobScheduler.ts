// Which job runs next: this queue's queued jobs, oldest first, `concurrency` at a time; a job waits
// for every job it depends on (`dependsOn`, or all of a graph step's) and is cancelled if one does
// not succeed (a graph step whose hooks tolerate failed dependencies runs without them). A poll timer picks up what
// other processes sharing the database change: cancel requests for our jobs, and the end of jobs
// they run that someone here waits on.
import { isFinished } from "../../shared/domain/job.js";
import {
  cancelRequestedIds,
  claimJob,
  getJobRecord,
  listJobRecordsInStates,
  type JobRecord,
} from "../store/jobs.js";
import { now } from "../store/ids.js";
import type { StepHookRegistry } from "./JobGraph.js";
import type { JobJournal } from "./JobJournal.js";
import type { JobRun } from "./JobRun.js";

export interface JobSchedulerOptions {
  journal: JobJournal;
  /** This queue's owner id: it runs only jobs it owns. */
  owner: string;
  concurrency: number;
  pollIntervalMs: number;
  /** Graph steps' hooks: a step may declare it runs despite failed dependencies. */
  steps: StepHookRegistry;
  /** Creates the run of a claimed job; the run calls `onSettled` just before its end is recorded. */
  newRun(record: JobRecord, onSettled: (run: JobRun) => void): JobRun;
}

export class JobScheduler {
  readonly #options: JobSchedulerOptions;
  readonly #running = new Map<string, JobRun>();
  #started = false;
  #closing = false;
  #pumpScheduled = false;
  #ticker?: NodeJS.Timeout;

  constructor(options: JobSchedulerOptions) {
    this.#options = options;
  }

  get closing(): boolean {
    return this.#closing;
  }

  /** The run of a job this queue runs now. */
  running(id: string): JobRun | undefined {
    return this.#running.get(id);
  }

  runs(): JobRun[] {
    return [...this.#running.values()];
  }

  /** Starts polling and running queued jobs. */
  start(): void {
    if (this.#started) return;
    this.#started = true;
    this.#ticker = setInterval(() => this.#tick(), this.#options.pollIntervalMs);
    this.#ticker.unref();
    this.schedule();
  }

  /** Stops scheduling; running jobs are the caller's to stop. */
  close(): void {
    this.#closing = true;
    if (this.#ticker) clearInterval(this.#ticker);
  }

  /** Looks for runnable jobs soon (once per turn of the event loop, however often it is asked). */
  schedule(): void {
    if (!this.#started || this.#closing || this.#pumpScheduled) return;
    this.#pumpScheduled = true;
    setImmediate(() => {
      this.#pumpScheduled = false;
      this.#pump();
    });
  }

  /** The poll timer keeps the process alive only while this queue has work or someone waits. */
  updateTickerRef(): void {
    if (!this.#ticker) return;
    const { journal, owner } = this.#options;
    const busy =
      this.#running.size > 0 ||
      journal.waitedIds().length > 0 ||
      listJobRecordsInStates(journal.db, ["queued"]).some((record) => record.owner === owner);
    if (busy) this.#ticker.ref();
    else this.#ticker.unref();
  }

  /** Starts queued jobs of this queue, oldest first, while there is room. */
  #pump(): void {
    if (!this.#started || this.#closing) return;
    const { journal, owner, concurrency } = this.#options;
    while (this.#running.size < concurrency) {
      const next = this.#nextRunnable();
      if (!next) break;
      if (!claimJob(journal.db, next.id, owner, now())) continue;
      this.#launch(getJobRecord(journal.db, next.id)!);
    }
    this.updateTickerRef();
  }

  #launch(record: JobRecord): void {
    const run = this.#options.newRun(record, () => {
      this.#running.delete(record.id);
      this.schedule();
    });
    this.#running.set(record.id, run);
    run.start();
  }

  #nextRunnable(): JobRecord | undefined {
    const { journal, owner, steps } = this.#options;
    for (const record of listJobRecordsInStates(journal.db, ["queued"])) {
      if (record.owner !== owner) continue;
      // A dependency whose row is gone (its experiment was deleted) no longer holds anything up.
      const dependencies = record.needs
        .map((id) => getJobRecord(journal.db, id))
        .filter((d): d is JobRecord => d !== undefined);
      const hooks = record.hook ? steps[record.hook.name] : undefined;
      const tolerated = (state: string): boolean =>
        (state === "failed" && (hooks?.tolerateFailedDependencies ?? false)) ||
        (state === "cancelled" && (hooks?.tolerateCancelledDependencies ?? false));
      const blocking = dependencies.find(
        (d) => isFinished(d.state) && d.state !== "succeeded" && !tolerated(d.state),
      );
      if (blocking) {
        journal.finish(record.id, {
          state: "cancelled",
          finishedAt: now(),
          error: `cancelled: the job it depends on (${blocking.id}, ${blocking.kind}) ${blocking.state === "interrupted" ? "was interrupted" : blocking.state}`,
        });
        continue;
      }
      if (dependencies.every((d) => isFinished(d.state))) return record;
      // Otherwise it waits; later jobs may still run.
    }
    return undefined;
  }

  /** Polls what other processes may change: cancel requests, their jobs we wait on or depend on. */
  #tick(): void {
    if (this.#closing) return;
    const { journal } = this.#options;
    for (const id of cancelRequestedIds(journal.db, [...this.#running.keys()])) {
      this.#running.get(id)?.cancel("cancelled by user (from another process)");
    }
    for (const id of journal.waitedIds()) {
      if (this.#running.has(id)) continue;
      const record = getJobRecord(journal.db, id);
      if (!record || isFinished(record.state)) journal.resolveWaiters(id);
    }
    this.#pump();
  }
}
