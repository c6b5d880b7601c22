// The job queue: persists jobs in SQLite, runs each in its own worker process (FIFO, `concurrency`
// at a time, a job waits for its `dependsOn`), turns worker messages into progress with an ETA and
// log lines, and owns every state change. The database is written only here (the parent): a
// worker returns a value, and the kind's host (JobKindHost.complete) records it.
import { rmSync } from "node:fs";
import { mkdir, readdir, rm } from "node:fs/promises";
import path from "node:path";
import { appErrorOf, type AppError } from "../../shared/domain/errors.js";
import { isFinished, type Job, type JobProgress } from "../../shared/domain/job.js";
import { isJobKind, jobKinds, type JobKind, type JobParams } from "../../shared/protocol/jobKinds.js";
import { ProtocolError } from "../../shared/protocol/wire.js";
import { toAppError } from "../errors.js";
import { dataPaths } from "../paths.js";
import type { EventBus } from "../rpc/eventBus.js";
import {
  adoptQueuedJob,
  cancelRequestedIds,
  claimJob,
  findJobsByIdPrefix,
  finishJob,
  getJobRecord,
  insertJob,
  insertJobLog,
  listJobLogs,
  listJobRecords,
  listJobRecordsInStates,
  requestJobCancel,
  toJob,
  updateJobProgress,
  type JobLogLine,
  type JobOutcome,
  type JobRecord,
} from "../store/jobs.js";
import { newId, now } from "../store/ids.js";
import type { Db } from "../store/Store.js";
import { childProcessLauncher } from "./childProcessLauncher.js";
import { describeWorkerExit } from "./describeWorkerExit.js";
import { ensureFreeSpace } from "./diskSpace.js";
import { EtaEstimator } from "./EtaEstimator.js";
import type { JobKindHost } from "./JobKindHost.js";
import { jobKindHosts } from "./kinds/index.js";
import { isOwnerAlive, markOwnerLive, newOwnerId, ownerPid } from "./jobOwner.js";
import { workerMessage, type LogLevel, type WorkerMessage } from "./workerMessages.js";
import type { WorkerExit, WorkerHandle, WorkerLauncher } from "./WorkerLauncher.js";
import { resolveWorkerEntry, type WorkerEntry } from "./workerEntry.js";

export interface JobQueueOptions {
  db: Db;
  dataDir: string;
  events: EventBus;
  /** Default: child_process.fork. The desktop app passes a utilityProcess launcher. */
  launcher?: WorkerLauncher;
  /** Default: resolveWorkerEntry() (dist/node/worker/main.js, or src/worker/main.ts under tsx). */
  workerEntry?: WorkerEntry;
  /** Native jobs running at once. Default 1: one job already uses every core. */
  concurrency?: number;
  /** Default: kinds/index.ts. */
  hosts?: Partial<Record<string, JobKindHost>>;
  /** How long a cancelled worker may take to stop before it is killed. Default 500 ms. */
  cancelGraceMs?: number;
  /** Minimum time between two progress writes (and events) of one job. Default 250 ms. */
  progressIntervalMs?: number;
  /** How often cancel requests from other processes and other processes' jobs are checked. */
  pollIntervalMs?: number;
  /** Extra environment for workers. */
  workerEnv?: NodeJS.ProcessEnv;
}

export interface EnqueueOptions {
  /** This job starts only after that one succeeded; it is cancelled if that one does not. */
  dependsOn?: string | null;
  experimentId?: string | null;
}

export interface StartOptions {
  /**
   * Take over queued jobs whose process is gone (default true). A CLI foreground run passes false:
   * it runs its own job and leaves the rest to the app.
   */
  adoptQueued?: boolean;
}

/** Lines of worker stdout/stderr kept per job; beyond that they are counted, not stored. */
const maxOutputLines = 5000;
const maxLogMessage = 4000;
/** After sending its result a worker has this long to exit before it is killed. */
const exitAfterResultMs = 5000;
const stderrTailLines = 30;

interface RunningJob {
  record: JobRecord;
  tempDir: string;
  handle?: WorkerHandle;
  result?: { value: unknown };
  error?: AppError;
  /** Set by cancel(); the job ends 'cancelled' with this as its error. */
  cancelReason?: string;
  /** Set by close(); the job ends 'interrupted'. */
  interruptReason?: string;
  killTimer?: NodeJS.Timeout;
  eta: EtaEstimator;
  progress?: JobProgress;
  lastPersistAt: number;
  persistTimer?: NodeJS.Timeout;
  outputLines: number;
  /** The last lines of stderr, to explain a crash. */
  stderrTail: string[];
  ended: Promise<void>;
  markEnded: () => void;
}

export class JobQueue {
  readonly owner = newOwnerId();
  readonly #db: Db;
  readonly #dataDir: string;
  readonly #events: EventBus;
  readonly #launcher: WorkerLauncher;
  readonly #entry: WorkerEntry;
  readonly #concurrency: number;
  readonly #hosts: Partial<Record<string, JobKindHost>>;
  readonly #cancelGraceMs: number;
  readonly #progressIntervalMs: number;
  readonly #pollIntervalMs: number;
  readonly #workerEnv: NodeJS.ProcessEnv;
  readonly #running = new Map<string, RunningJob>();
  readonly #waiters = new Map<string, ((job: Job) => void)[]>();
  #started = false;
  #closing = false;
  #pumpScheduled = false;
  #ticker?: NodeJS.Timeout;

  constructor(options: JobQueueOptions) {
    this.#db = options.db;
    this.#dataDir = path.resolve(options.dataDir);
    this.#events = options.events;
    this.#launcher = options.launcher ?? childProcessLauncher;
    this.#entry = options.workerEntry ?? resolveWorkerEntry();
    this.#concurrency = Math.max(1, options.concurrency ?? 1);
    this.#hosts = options.hosts ?? jobKindHosts;
    this.#cancelGraceMs = options.cancelGraceMs ?? 500;
    this.#progressIntervalMs = options.progressIntervalMs ?? 250;
    this.#pollIntervalMs = options.pollIntervalMs ?? 250;
    this.#workerEnv = options.workerEnv ?? {};
  }

  /**
   * Recovers from a previous run (jobs left 'running' by a dead process become 'interrupted', their
   * temp files are deleted; queued ones are adopted) and starts running queued jobs.
   */
  async start(options: StartOptions = {}): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    markOwnerLive(this.owner, true);
    await this.recoverInterrupted();
    if (options.adoptQueued ?? true) {
      for (const record of listJobRecordsInStates(this.#db, ["queued"])) {
        if (record.owner !== this.owner && !isOwnerAlive(record.owner))
          adoptQueuedJob(this.#db, record.id, this.owner);
      }
    }
    await this.#removeStrayTempDirs();
    this.#ticker = setInterval(() => this.#tick(), this.#pollIntervalMs);
    this.#ticker.unref();
    this.#schedulePump();
  }

  /**
   * Marks jobs left 'running' by a process that is gone as 'interrupted' and deletes their temp
   * folders. start() does this; read-only callers (`cwb jobs list`) may too, without starting.
   */
  async recoverInterrupted(): Promise<Job[]> {
    const recovered: Job[] = [];
    for (const record of listJobRecordsInStates(this.#db, ["running"])) {
      if (record.owner === this.owner || isOwnerAlive(record.owner)) continue;
      await rm(this.#tempDirOf(record.id), { recursive: true, force: true });
      const pid = ownerPid(record.owner);
      const ended = this.#finish(record.id, {
        state: "interrupted",
        finishedAt: now(),
        error: `interrupted: the process running it${pid ? ` (pid ${pid})` : ""} stopped before it finished`,
      });
      if (ended) recovered.push(this.get(record.id));
    }
    return recovered;
  }

  /** Validates `params` against the kind's schema and queues the job. */
  enqueue<K extends JobKind>(kind: K, params: JobParams<K>, options?: EnqueueOptions): Job;
  enqueue(kind: string, params: unknown, options?: EnqueueOptions): Job;
  enqueue(kind: string, params: unknown, options: EnqueueOptions = {}): Job {
    if (this.#closing) throw new ProtocolError("QUEUE_CLOSED", "The job queue is shutting down");
    if (!isJobKind(kind)) {
      throw new ProtocolError(
        "UNKNOWN_JOB_KIND",
        `Unknown job kind "${kind}"; known kinds: ${Object.keys(jobKinds).join(", ")}`,
      );
    }
    const parsed = jobKinds[kind].params.safeParse(params ?? {});
    if (!parsed.success) {
      const issues = parsed.error.issues.map(
        (i) => `${i.path.length > 0 ? i.path.join(".") : "(root)"}: ${i.message}`,
      );
      throw new ProtocolError("BAD_INPUT", `Invalid parameters for job kind ${kind}: ${issues.join("; ")}`);
    }
    const dependsOn = options.dependsOn ?? null;
    if (dependsOn !== null && !getJobRecord(this.#db, dependsOn)) {
      throw new ProtocolError("NOT_FOUND", `dependsOn: no job with id ${dependsOn}`);
    }
    const id = newId();
    insertJob(this.#db, {
      id,
      kind,
      params: parsed.data,
      owner: this.owner,
      createdAt: now(),
      dependsOn,
      experimentId: options.experimentId ?? null,
    });
    const job = this.#emit(id);
    this.#schedulePump();
    return job;
  }

  /** A job by id, or by a unique prefix of its id. */
  get(ref: string): Job {
    return toJob(this.#require(ref));
  }

  /** Newest first. */
  list(limit = 200): Job[] {
    return listJobRecords(this.#db, limit).map(toJob);
  }

  logs(ref: string, tail = 200): JobLogLine[] {
    return listJobLogs(this.#db, this.#require(ref).id, tail);
  }

  /**
   * Cancels a queued job at once; a running one is sent a cancel message and killed if it has not
   * stopped within the grace period. Resolves with the job once it has ended (a job run by another
   * process: once that process has ended it, or with its current state after a few seconds).
   */
  async cancel(ref: string, reason = "cancelled by user"): Promise<Job> {
    const record = this.#require(ref);
    if (isFinished(record.state)) return toJob(record);
    const own = this.#running.get(record.id);
    if (own) {
      this.#cancelRunning(own, reason);
      await own.ended;
      return this.get(record.id);
    }
    if (record.state === "queued") {
      if (this.#finish(record.id, { state: "cancelled", finishedAt: now(), error: reason })) {
        this.#schedulePump(); // dependents get cancelled in turn
        return this.get(record.id);
      }
      // Claimed meanwhile: fall through to the running case.
      const again = this.#running.get(record.id);
      if (again) return this.cancel(record.id, reason);
    }
    // Running in another process: ask its queue, which polls for the request.
    requestJobCancel(this.#db, record.id, now());
    return this.#waitForOther(record.id, 5000);
  }

  /** Queues a new job with the same kind, parameters and experiment (not the dependency). */
  retry(ref: string): Job {
    const record = this.#require(ref);
    if (!isFinished(record.state))
      throw new ProtocolError(
        "NOT_FINISHED",
        `Job ${record.id} is ${record.state}; only a finished job can be retried`,
      );
    return this.enqueue(record.kind, record.params, { experimentId: record.experimentId });
  }

  /** Resolves when the job has ended, whatever the outcome. */
  waitFor(ref: string): Promise<Job> {
    const record = this.#require(ref);
    if (isFinished(record.state)) return Promise.resolve(toJob(record));
    return new Promise((resolve) => {
      const list = this.#waiters.get(record.id) ?? [];
      list.push(resolve);
      this.#waiters.set(record.id, list);
      this.#updateTickerRef();
    });
  }

  /** The worker's process id while the job runs in this queue (diagnostics and tests). */
  workerPid(id: string): number | undefined {
    return this.#running.get(id)?.handle?.pid;
  }

  /**
   * Stops every worker this queue runs (their jobs end 'interrupted') and stops scheduling. Queued
   * jobs stay queued for the next queue to adopt.
   */
  async close(): Promise<void> {
    if (this.#closing) return;
    this.#closing = true;
    if (this.#ticker) clearInterval(this.#ticker);
    const running = [...this.#running.values()];
    for (const job of running) {
      job.interruptReason = "interrupted: the app closed while the job ran";
      this.#stopWorker(job);
    }
    await Promise.all(running.map((job) => job.ended));
    markOwnerLive(this.owner, false);
  }

  /**
   * close() for callers that cannot wait (a synchronous shutdown path): kills every worker at once,
   * records their jobs as interrupted and deletes their temp folders before returning.
   */
  closeNow(): void {
    if (this.#closing && this.#running.size === 0) return;
    this.#closing = true;
    if (this.#ticker) clearInterval(this.#ticker);
    for (const job of [...this.#running.values()]) {
      job.interruptReason = "interrupted: the app closed while the job ran";
      clearTimeout(job.killTimer);
      clearTimeout(job.persistTimer);
      job.handle?.kill();
      rmSync(job.tempDir, { recursive: true, force: true });
      this.#running.delete(job.record.id); // its late exit event finds nothing to do
      this.#finish(job.record.id, { state: "interrupted", finishedAt: now(), error: job.interruptReason });
      job.markEnded();
    }
    markOwnerLive(this.owner, false);
  }

  // --- scheduling ------------------------------------------------------------------------------

  #schedulePump(): void {
    if (!this.#started || this.#closing || this.#pumpScheduled) return;
    this.#pumpScheduled = true;
    setImmediate(() => {
      this.#pumpScheduled = false;
      this.#pump();
    });
  }

  /** Starts queued jobs of this queue, oldest first, while there is room. */
  #pump(): void {
    if (!this.#started || this.#closing) return;
    while (this.#running.size < this.#concurrency) {
      const next = this.#nextRunnable();
      if (!next) break;
      if (!claimJob(this.#db, next.id, this.owner, now())) continue;
      this.#launch(getJobRecord(this.#db, next.id)!);
    }
    this.#updateTickerRef();
  }

  #nextRunnable(): JobRecord | undefined {
    for (const record of listJobRecordsInStates(this.#db, ["queued"])) {
      if (record.owner !== this.owner) continue;
      if (record.dependsOn === null) return record;
      const dependency = getJobRecord(this.#db, record.dependsOn);
      if (!dependency || dependency.state === "succeeded") return record;
      if (isFinished(dependency.state)) {
        this.#finish(record.id, {
          state: "cancelled",
          finishedAt: now(),
          error: `cancelled: the job it depends on (${dependency.id}, ${dependency.kind}) ${dependency.state === "interrupted" ? "was interrupted" : dependency.state}`,
        });
      }
      // Otherwise it waits; later jobs may still run.
    }
    return undefined;
  }

  /** Polls what other processes may change: cancel requests, their jobs we wait on or depend on. */
  #tick(): void {
    if (this.#closing) return;
    for (const id of cancelRequestedIds(this.#db, [...this.#running.keys()])) {
      const job = this.#running.get(id);
      if (job) this.#cancelRunning(job, "cancelled by user (from another process)");
    }
    for (const id of this.#waiters.keys()) {
      if (this.#running.has(id)) continue;
      const record = getJobRecord(this.#db, id);
      if (!record || isFinished(record.state)) this.#resolveWaiters(id);
    }
    this.#pump();
  }

  /** The poll timer keeps the process alive only while this queue has work or someone waits. */
  #updateTickerRef(): void {
    if (!this.#ticker) return;
    const busy =
      this.#running.size > 0 ||
      this.#waiters.size > 0 ||
      listJobRecordsInStates(this.#db, ["queued"]).some((record) => record.owner === this.owner);
    if (busy) this.#ticker.ref();
    else this.#ticker.unref();
  }

  // --- one job's life --------------------------------------------------------------------------

  #launch(record: JobRecord): void {
    let markEnded!: () => void;
    const ended = new Promise<void>((resolve) => (markEnded = resolve));
    const job: RunningJob = {
      record,
      tempDir: this.#tempDirOf(record.id),
      eta: new EtaEstimator(),
      lastPersistAt: 0,
      outputLines: 0,
      stderrTail: [],
      ended,
      markEnded,
    };
    this.#running.set(record.id, job);
    this.#emit(record.id);
    void this.#prepareAndSpawn(job);
  }

  async #prepareAndSpawn(job: RunningJob): Promise<void> {
    try {
      const host = this.#hosts[job.record.kind];
      const estimate = await host?.estimateOutput?.(job.record.params as never, this.#kindContext());
      if (estimate) await ensureFreeSpace(estimate.dir, estimate.bytes);
      await mkdir(job.tempDir, { recursive: true });
    } catch (error) {
      job.error = toAppError(error);
      await this.#end(job, { code: null, signal: null });
      return;
    }
    if (this.#running.get(job.record.id) !== job) return; // closeNow() ended it meanwhile
    if (job.cancelReason || job.interruptReason) {
      await this.#end(job, { code: null, signal: null });
      return;
    }

    const handle = this.#launcher.spawn({
      entryPath: this.#entry.entryPath,
      execArgv: this.#entry.execArgv,
      args: [],
      env: { ...process.env, ...this.#workerEnv },
      // The user's working directory, as for any command they run.
      cwd: process.cwd(),
    });
    job.handle = handle;
    handle.onMessage((raw) => this.#onWorkerMessage(job, raw));
    handle.onOutput((line, stream) => this.#onWorkerOutput(job, line, stream));
    handle.onExit((exit) => void this.#end(job, exit));
    this.#log(job.record.id, "info", `worker started (pid ${handle.pid ?? "?"})`);
  }

  #onWorkerMessage(job: RunningJob, raw: unknown): void {
    const parsed = workerMessage.safeParse(raw);
    if (!parsed.success) {
      this.#log(job.record.id, "warn", "ignored a malformed message from the worker");
      return;
    }
    const message: WorkerMessage = parsed.data;
    switch (message.type) {
      case "ready":
        job.handle?.send({
          type: "start",
          jobId: job.record.id,
          kind: job.record.kind,
          params: job.record.params,
          dataDir: this.#dataDir,
          tempDir: job.tempDir,
        });
        if (job.cancelReason) job.handle?.send({ type: "cancel" });
        break;
      case "progress": {
        const etaSeconds = job.eta.update(message.fraction);
        job.progress = {
          fraction: message.fraction,
          step: message.step,
          etaSeconds: message.etaSeconds ?? etaSeconds,
        };
        this.#persistProgressSoon(job);
        break;
      }
      case "log":
        this.#log(job.record.id, message.level, message.message);
        break;
      case "result":
        job.result = { value: message.value };
        // The worker exits by itself after its result; one that hangs in native teardown is killed.
        job.killTimer ??= setTimeout(() => job.handle?.kill(), exitAfterResultMs);
        break;
      case "error":
        job.error = appErrorOf(message) ?? toAppError(new Error(message.message));
        break;
    }
  }

  #onWorkerOutput(job: RunningJob, line: string, stream: "stdout" | "stderr"): void {
    if (line.trim() === "") return;
    if (stream === "stderr") job.stderrTail = [...job.stderrTail.slice(-(stderrTailLines - 1)), line];
    job.outputLines++;
    if (job.outputLines <= maxOutputLines) this.#log(job.record.id, "info", line);
    else if (job.outputLines === maxOutputLines + 1)
      this.#log(job.record.id, "warn", `more than ${maxOutputLines} output lines; the rest are not kept`);
  }

  /** At most one progress write per interval; the latest report always lands. */
  #persistProgressSoon(job: RunningJob): void {
    const wait = job.lastPersistAt + this.#progressIntervalMs - Date.now();
    if (wait <= 0) {
      clearTimeout(job.persistTimer);
      job.persistTimer = undefined;
      this.#persistProgress(job);
      return;
    }
    job.persistTimer ??= setTimeout(() => {
      job.persistTimer = undefined;
      this.#persistProgress(job);
    }, wait);
  }

  #persistProgress(job: RunningJob): void {
    if (!job.progress || !this.#running.has(job.record.id)) return;
    job.lastPersistAt = Date.now();
    updateJobProgress(this.#db, job.record.id, job.progress);
    this.#emit(job.record.id);
  }

  #cancelRunning(job: RunningJob, reason: string): void {
    if (job.cancelReason || job.interruptReason) return;
    job.cancelReason = reason;
    this.#stopWorker(job);
  }

  /** Cancel message first (the runner aborts its signal and cleans up), SIGKILL after the grace. */
  #stopWorker(job: RunningJob): void {
    if (!job.handle) return; // not spawned yet: #prepareAndSpawn sees the reason
    job.handle.send({ type: "cancel" });
    clearTimeout(job.killTimer);
    job.killTimer = setTimeout(() => job.handle?.kill(), this.#cancelGraceMs);
  }

  /** The worker is gone (or never started): decide the outcome, clean up, record, move on. */
  async #end(job: RunningJob, exit: WorkerExit): Promise<void> {
    if (this.#running.get(job.record.id) !== job) return; // already ended by closeNow()
    clearTimeout(job.killTimer);
    clearTimeout(job.persistTimer);
    const id = job.record.id;
    let outcome: JobOutcome;
    if (job.interruptReason) {
      outcome = { state: "interrupted", finishedAt: "", error: job.interruptReason };
    } else if (job.cancelReason) {
      outcome = { state: "cancelled", finishedAt: "", error: job.cancelReason };
    } else if (job.result) {
      outcome = await this.#complete(job, job.result.value);
    } else if (job.error) {
      outcome = { state: "failed", finishedAt: "", error: job.error.message, errorDetail: job.error };
    } else {
      outcome = { state: "failed", finishedAt: "", error: describeWorkerExit(exit, job.stderrTail) };
    }
    if (job.handle)
      this.#log(
        id,
        outcome.state === "succeeded" ? "info" : "warn",
        `worker ended (${exitWords(exit)}); job ${outcome.state}`,
      );
    // Whatever the outcome, nothing the job wrote to its temp folder survives it.
    await rm(job.tempDir, { recursive: true, force: true }).catch((error: unknown) => {
      this.#log(id, "warn", `could not delete temp folder ${job.tempDir}: ${(error as Error).message}`);
    });
    if (this.#running.get(id) !== job) return; // closeNow() ended it meanwhile
    if (job.progress && outcome.progress === undefined) updateJobProgress(this.#db, id, job.progress);
    this.#running.delete(id);
    this.#finish(id, { ...outcome, finishedAt: now() });
    job.markEnded();
    this.#schedulePump();
  }

  async #complete(job: RunningJob, value: unknown): Promise<JobOutcome> {
    const kind = job.record.kind;
    try {
      const host = this.#hosts[kind];
      const produced = host?.complete
        ? await host.complete(value, job.record.params as never, {
            ...this.#kindContext(),
            job: toJob(job.record),
            tempDir: job.tempDir,
          })
        : value;
      const result = isJobKind(kind) ? jobKinds[kind].result.parse(produced) : produced;
      return {
        state: "succeeded",
        finishedAt: "",
        result,
        progress: { fraction: 1, step: "done", etaSeconds: 0 },
      };
    } catch (error) {
      const detail = toAppError(error);
      const message = `the job's result could not be recorded: ${detail.message}`;
      return { state: "failed", finishedAt: "", error: message, errorDetail: { ...detail, message } };
    }
  }

  // --- helpers ---------------------------------------------------------------------------------

  #finish(id: string, outcome: JobOutcome): boolean {
    const changed = finishJob(this.#db, id, outcome);
    if (changed) {
      this.#emit(id);
      this.#resolveWaiters(id);
    }
    return changed;
  }

  #resolveWaiters(id: string): void {
    const waiters = this.#waiters.get(id);
    if (!waiters) return;
    this.#waiters.delete(id);
    const record = getJobRecord(this.#db, id);
    for (const resolve of waiters) if (record) resolve(toJob(record));
  }

  #emit(id: string): Job {
    const job = toJob(getJobRecord(this.#db, id)!);
    this.#events.emit("jobs.updated", job);
    return job;
  }

  #log(jobId: string, level: LogLevel, message: string): void {
    insertJobLog(this.#db, jobId, {
      at: now(),
      level,
      message: message.length > maxLogMessage ? `${message.slice(0, maxLogMessage)}…` : message,
    });
  }

  #require(ref: string): JobRecord {
    const exact = getJobRecord(this.#db, ref);
    if (exact) return exact;
    const matches = ref.length >= 4 ? findJobsByIdPrefix(this.#db, ref) : [];
    if (matches.length === 1) return matches[0]!;
    if (matches.length > 1)
      throw new ProtocolError("AMBIGUOUS", `"${ref}" matches ${matches.length} jobs; type more of the id`);
    throw new ProtocolError("NOT_FOUND", `No job with id ${ref}`);
  }

  async #waitForOther(id: string, timeoutMs: number): Promise<Job> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const record = getJobRecord(this.#db, id)!;
      if (isFinished(record.state) || Date.now() >= deadline) return toJob(record);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  #kindContext(): { db: Db; dataDir: string; events: EventBus } {
    return { db: this.#db, dataDir: this.#dataDir, events: this.#events };
  }

  #tempDirOf(id: string): string {
    return path.join(dataPaths(this.#dataDir).tmp, `job-${id}`);
  }

  /** Temp folders of jobs that are no longer running anywhere (left by a crash of the app). */
  async #removeStrayTempDirs(): Promise<void> {
    const tmp = dataPaths(this.#dataDir).tmp;
    let names: string[];
    try {
      names = await readdir(tmp);
    } catch {
      return;
    }
    for (const name of names) {
      const id = /^job-(.+)$/.exec(name)?.[1];
      if (!id) continue;
      const record = getJobRecord(this.#db, id);
      if (record && (record.state === "running" || record.state === "queued")) continue;
      await rm(path.join(tmp, name), { recursive: true, force: true });
    }
  }
}

function exitWords(exit: WorkerExit): string {
  if (exit.signal) return `signal ${exit.signal}`;
  return exit.code === null ? "not started" : `exit code ${exit.code}`;
}
