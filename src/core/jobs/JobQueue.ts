// The job queue, as the rest of the app uses it: queue a job, look jobs up, cancel, retry, wait,
// close. Jobs are rows in SQLite run each in its own worker process; the work is split by
// responsibility: JobScheduler.ts decides which job runs next (FIFO, `concurrency` at a time,
// `dependsOn`), JobRun.ts runs one job (worker, progress, result, cleanup, cancel), recoverJobs.ts
// cleans up after a crashed process, and JobJournal.ts records every state change. The database is
// written only in this (the parent) process: a worker returns a value and the kind's host
// (JobKindHost.complete) records it.
import path from "node:path";
import { isFinished, type Job } from "../../shared/domain/job.js";
import { distillJobResult } from "../../shared/domain/distill.js";
import {
  emptyTrainingMetrics,
  trainingMetricsOfDistill,
  type TrainingMetrics,
} from "../../shared/domain/trainingMetrics.js";
import {
  describeIssues,
  isJobKind,
  jobKinds,
  type JobKind,
  type JobParams,
} from "../../shared/protocol/jobKinds.js";
import { ProtocolError } from "../../shared/protocol/wire.js";
import { crashPoint } from "../crashPoint.js";
import type { EventBus } from "../rpc/eventBus.js";
import {
  getJobRecord,
  insertJob,
  listExperimentJobRecords,
  listJobLogs,
  listJobRecords,
  requestJobCancel,
  toJob,
  type JobLogLine,
  type JobRecord,
  type NewJob,
} from "../store/jobs.js";
import { newId, now } from "../store/ids.js";
import type { Db } from "../store/Store.js";
import { childProcessLauncher } from "./childProcessLauncher.js";
import {
  planResume,
  planStepRetry,
  resumeNodes,
  type GraphNode,
  type ResumePlan,
  type StepHookRegistry,
} from "./JobGraph.js";
import { JobJournal } from "./JobJournal.js";
import type { JobKindHost } from "./JobKindHost.js";
import { JobRun, type JobRunSetup } from "./JobRun.js";
import { JobScheduler } from "./JobScheduler.js";
import { jobKindHosts } from "./kinds/index.js";
import { markOwnerLive, newOwnerId } from "./jobOwner.js";
import { stepHooks } from "./stepHooks.js";
import {
  adoptOrphanedQueuedJobs,
  interruptOrphanedJobs,
  removeStrayTempDirs,
  type RecoveryContext,
} from "./recoverJobs.js";
import type { WorkerLauncher } from "./WorkerLauncher.js";
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
  /** The hooks graph steps name (JobGraph.ts). Default: stepHooks.ts. */
  steps?: StepHookRegistry;
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

const closedReason = "interrupted: the app closed while the job ran";

export class JobQueue {
  readonly owner = newOwnerId();
  readonly #dataDir: string;
  readonly #journal: JobJournal;
  readonly #scheduler: JobScheduler;
  readonly #steps: StepHookRegistry;
  readonly #hosts: Partial<Record<string, JobKindHost>>;
  #started = false;

  constructor(options: JobQueueOptions) {
    this.#dataDir = path.resolve(options.dataDir);
    this.#journal = new JobJournal(options.db, options.events);
    this.#steps = options.steps ?? stepHooks;
    this.#hosts = options.hosts ?? jobKindHosts;
    const setup: JobRunSetup = {
      journal: this.#journal,
      kindContext: { db: options.db, dataDir: this.#dataDir, events: options.events },
      launcher: options.launcher ?? childProcessLauncher,
      entry: options.workerEntry ?? resolveWorkerEntry(),
      hosts: this.#hosts,
      steps: this.#steps,
      cancelGraceMs: options.cancelGraceMs ?? 500,
      progressIntervalMs: options.progressIntervalMs ?? 250,
      workerEnv: options.workerEnv ?? {},
    };
    this.#scheduler = new JobScheduler({
      journal: this.#journal,
      owner: this.owner,
      concurrency: Math.max(1, options.concurrency ?? 1),
      steps: this.#steps,
      pollIntervalMs: options.pollIntervalMs ?? 250,
      newRun: (record, onSettled) => new JobRun(record, setup, onSettled),
    });
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
    if (options.adoptQueued ?? true) adoptOrphanedQueuedJobs(this.#recovery());
    await removeStrayTempDirs(this.#recovery());
    this.#scheduler.start();
  }

  /**
   * Marks jobs left 'running' by a process that is gone as 'interrupted' and deletes their temp
   * folders. start() does this; read-only callers (`cwb jobs list`) may too, without starting.
   */
  recoverInterrupted(): Promise<Job[]> {
    return interruptOrphanedJobs(this.#recovery());
  }

  /** Validates `params` against the kind's schema (they may come off the wire) and queues the job. */
  enqueue<K extends JobKind>(kind: K, params: JobParams<K>, options?: EnqueueOptions): Job {
    return this.#enqueue(kind, params, options);
  }

  /** The kind's parameters, validated (they may come off the wire or from a stored row). */
  #checkParams(kind: string, params: unknown): unknown {
    if (!isJobKind(kind)) {
      throw new ProtocolError(
        "UNKNOWN_JOB_KIND",
        `Unknown job kind "${kind}"; known kinds: ${Object.keys(jobKinds).join(", ")}`,
      );
    }
    const parsed = jobKinds[kind].params.safeParse(params ?? {});
    if (!parsed.success) {
      throw new ProtocolError(
        "BAD_INPUT",
        `Invalid parameters for job kind ${kind}: ${describeIssues(parsed.error)}`,
      );
    }
    return parsed.data;
  }

  #enqueue(kind: string, params: unknown, options: EnqueueOptions = {}): Job {
    if (this.#scheduler.closing) throw new ProtocolError("QUEUE_CLOSED", "The job queue is shutting down");
    const parsed = { data: this.#checkParams(kind, params) };
    const db = this.#journal.db;
    const dependsOn = options.dependsOn ?? null;
    if (dependsOn !== null && !getJobRecord(db, dependsOn)) {
      throw new ProtocolError("NOT_FOUND", `dependsOn: no job with id ${dependsOn}`);
    }
    const id = newId();
    insertJob(db, {
      id,
      kind,
      params: parsed.data,
      owner: this.owner,
      createdAt: now(),
      dependsOn,
      experimentId: options.experimentId ?? null,
    });
    const job = this.#journal.emit(id);
    this.#scheduler.schedule();
    return job;
  }

  /**
   * Writes a multi-step plan as job rows of the experiment, all in one transaction (JobGraph.ts):
   * each node's dependencies are keys of earlier nodes, or of succeeded steps given in `done`
   * (step key → job id). Returns the queued jobs in the nodes' order.
   */
  enqueueGraph(
    experimentId: string,
    nodes: readonly GraphNode[],
    done: ReadonlyMap<string, string> = new Map(),
  ): Job[] {
    if (this.#scheduler.closing) throw new ProtocolError("QUEUE_CLOSED", "The job queue is shutting down");
    const ids = new Map(done);
    const rows: NewJob[] = [];
    const createdAt = now();
    for (const node of nodes) {
      if (rows.some((row) => row.stepKey === node.key))
        throw new ProtocolError("BAD_INPUT", `graph step ${node.key}: the key is used twice`);
      const hooks = node.hook ? this.#steps[node.hook.name] : undefined;
      if (node.hook && !hooks)
        throw new ProtocolError(
          "BAD_INPUT",
          `graph step ${node.key}: no step hooks named "${node.hook.name}"`,
        );
      // A stored row may name a kind this version no longer knows: checked like the params.
      const kind: string = node.kind;
      let params: unknown = null;
      if (node.params !== undefined) params = this.#checkParams(kind, node.params);
      else if (!hooks?.params)
        throw new ProtocolError(
          "BAD_INPUT",
          `graph step ${node.key}: neither parameters nor a hook to build them`,
        );
      else if (!isJobKind(kind))
        throw new ProtocolError("UNKNOWN_JOB_KIND", `graph step ${node.key}: unknown job kind "${kind}"`);
      const needs = (node.dependsOn ?? []).map((key) => {
        const id = ids.get(key);
        if (!id) throw new ProtocolError("BAD_INPUT", `graph step ${node.key}: no earlier step ${key}`);
        return id;
      });
      const id = newId();
      ids.set(node.key, id);
      rows.push({
        id,
        kind: node.kind,
        params,
        owner: this.owner,
        createdAt,
        experimentId,
        stepKey: node.key,
        needs,
        hook: node.hook ?? null,
      });
    }
    const db = this.#journal.db;
    db.transaction(() => {
      for (const row of rows) {
        insertJob(db, row);
        crashPoint("graph.in-transaction");
      }
    }).immediate();
    const jobs = rows.map((row) => this.#journal.emit(row.id));
    this.#scheduler.schedule();
    return jobs;
  }

  /**
   * Queues again, in this queue, every step of the experiment's graph that did not succeed (a crash,
   * a kill, a cancel or a failure stopped it), pointing at the steps that did. Refused while a step
   * still runs somewhere. Returns the new jobs (none when every step succeeded).
   */
  resumeGraph(experimentId: string): Job[] {
    const records = listExperimentJobRecords(this.#journal.db, experimentId);
    return this.#requeueSteps(experimentId, planResume(records), records);
  }

  /**
   * Retries one step of an experiment's graph as a resume does (its parameters may be built from the
   * steps it waits for): a new job for the step and for every step it needs that did not succeed,
   * in the same experiment. Returns the new jobs, the retried step last.
   */
  retryStep(ref: string): Job[] {
    const record = this.#journal.require(ref);
    if (record.stepKey === null || record.experimentId === null)
      throw new ProtocolError("BAD_INPUT", `job ${record.id} is not a step of an experiment`);
    if (!isFinished(record.state))
      throw new ProtocolError(
        "NOT_FINISHED",
        `Job ${record.id} is ${record.state}; only a finished job can be retried`,
      );
    const records = listExperimentJobRecords(this.#journal.db, record.experimentId);
    return this.#requeueSteps(record.experimentId, planStepRetry(records, record.stepKey), records);
  }

  #requeueSteps(experimentId: string, plan: ResumePlan, records: readonly JobRecord[]): Job[] {
    if (plan.requeue.length === 0) return [];
    // Stranded rows of a dead process end first, so the old and the new job never both look alive.
    for (const step of plan.requeue)
      if (!isFinished(step.state))
        this.#journal.finish(step.id, {
          state: "interrupted",
          finishedAt: now(),
          error: "interrupted: the process that queued it stopped before it ran",
        });
    return this.enqueueGraph(experimentId, resumeNodes(plan, records, this.#steps), plan.done);
  }

  /**
   * Cancels every unfinished job of the experiment: the queued ones first (so none starts in
   * between), then the running ones. Resolves once they have ended.
   */
  async cancelExperiment(experimentId: string, reason = "cancelled by user"): Promise<Job[]> {
    const unfinished = listExperimentJobRecords(this.#journal.db, experimentId).filter(
      (r) => !isFinished(r.state),
    );
    const running = unfinished.filter(
      (r) =>
        r.state !== "queued" ||
        // Claimed meanwhile: it is cancelled as a running job.
        !this.#journal.finish(r.id, { state: "cancelled", finishedAt: now(), error: reason }),
    );
    await Promise.all(running.map((r) => this.cancel(r.id, reason).catch(() => undefined)));
    this.#scheduler.schedule();
    return unfinished.map((r) => this.get(r.id));
  }

  /** A job by id, or by a unique prefix of its id. */
  get(ref: string): Job {
    return toJob(this.#journal.require(ref));
  }

  /** Newest first. */
  list(limit = 200): Job[] {
    return listJobRecords(this.#journal.db, limit).map(toJob);
  }

  /** A training job's series; a distillation finished before series were kept has its result's. */
  metrics(ref: string): TrainingMetrics {
    const record = this.#journal.require(ref);
    if (record.metrics) return record.metrics;
    const finished = record.kind === "distill" ? distillJobResult.safeParse(record.result) : null;
    return finished?.success ? trainingMetricsOfDistill(finished.data.training) : emptyTrainingMetrics;
  }

  logs(ref: string, tail = 200): JobLogLine[] {
    return listJobLogs(this.#journal.db, this.#journal.require(ref).id, tail);
  }

  /**
   * Cancels a queued job at once; a running one is sent a cancel message and killed if it has not
   * stopped within the grace period. Resolves with the job once it has ended (a job run by another
   * process: once that process has ended it, or with its current state after a few seconds).
   */
  async cancel(ref: string, reason = "cancelled by user"): Promise<Job> {
    const record = this.#journal.require(ref);
    if (isFinished(record.state)) return toJob(record);
    const own = this.#scheduler.running(record.id);
    if (own) {
      own.cancel(reason);
      await own.ended;
      return this.get(record.id);
    }
    if (record.state === "queued") {
      if (this.#journal.finish(record.id, { state: "cancelled", finishedAt: now(), error: reason })) {
        this.#scheduler.schedule(); // dependents get cancelled in turn
        return this.get(record.id);
      }
      // Claimed meanwhile: fall through to the running case.
      if (this.#scheduler.running(record.id)) return this.cancel(record.id, reason);
    }
    // Running in another process: ask its queue, which polls for the request.
    requestJobCancel(this.#journal.db, record.id, now());
    return this.#journal.waitForOther(record.id, 5000);
  }

  /**
   * Queues a new job with the same kind, parameters and experiment (not the dependency). A step of
   * an experiment's graph is retried through its graph (retryStep); the retried step's job is returned.
   */
  retry(ref: string): Job {
    const record = this.#journal.require(ref);
    if (record.stepKey !== null) return this.retryStep(record.id).at(-1)!;
    if (!isFinished(record.state))
      throw new ProtocolError(
        "NOT_FINISHED",
        `Job ${record.id} is ${record.state}; only a finished job can be retried`,
      );
    // A stored row: its kind may be one this version no longer knows, so it is checked again.
    return this.#enqueue(record.kind, record.params, { experimentId: record.experimentId });
  }

  /** Resolves when the job has ended, whatever the outcome. */
  waitFor(ref: string): Promise<Job> {
    const record = this.#journal.require(ref);
    if (isFinished(record.state)) return Promise.resolve(toJob(record));
    const ended = this.#journal.waitFor(record.id);
    this.#scheduler.updateTickerRef();
    return ended;
  }

  /** The worker's process id while the job runs in this queue (diagnostics and tests). */
  workerPid(id: string): number | undefined {
    return this.#scheduler.running(id)?.pid;
  }

  /**
   * Stops every worker this queue runs (their jobs end 'interrupted') and stops scheduling. Queued
   * jobs stay queued for the next queue to adopt.
   */
  async close(): Promise<void> {
    if (this.#scheduler.closing) return;
    this.#scheduler.close();
    const runs = this.#scheduler.runs();
    for (const run of runs) run.interrupt(closedReason);
    await Promise.all(runs.map((run) => run.ended));
    markOwnerLive(this.owner, false);
  }

  /**
   * close() for callers that cannot wait (a synchronous shutdown path): kills every worker at once,
   * records their jobs as interrupted and deletes their temp folders before returning.
   */
  closeNow(): void {
    if (this.#scheduler.closing && this.#scheduler.runs().length === 0) return;
    this.#scheduler.close();
    for (const run of this.#scheduler.runs()) run.interruptNow(closedReason);
    markOwnerLive(this.owner, false);
  }

  #recovery(): RecoveryContext {
    return { journal: this.#journal, dataDir: this.#dataDir, owner: this.owner, hosts: this.#hosts };
  }
}
