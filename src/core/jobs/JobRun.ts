// One job's run, from its claim to its recorded end: checks the disk space its host declares,
// launches its worker, answers the worker's messages (start, progress with an ETA, log lines,
// result or error), stops it on cancel (cancel message, SIGKILL after the grace), decides the
// outcome, lets the kind's host record the result, and deletes the job's temp folder whatever
// happened.
import { appErrorOf, type AppError } from "../../shared/domain/errors.js";
import { crashPoint } from "../crashPoint.js";
import { toAppError } from "../errors.js";
import { rmSync } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import type { JobProgress } from "../../shared/domain/job.js";
import {
  appendTrainingMetrics,
  emptyTrainingMetrics,
  type TrainingMetrics,
} from "../../shared/domain/trainingMetrics.js";
import { isJobKind, jobKinds, parseWorkerValue } from "../../shared/protocol/jobKinds.js";
import { getJobRecord, toJob, updateJobParams, type JobOutcome, type JobRecord } from "../store/jobs.js";
import { now } from "../store/ids.js";
import { describeWorkerExit } from "./describeWorkerExit.js";
import { diskFilledDuringWrite, ensureRoomForOutput } from "./diskSpace.js";
import type { DependencyOutcome, StepContext, StepHookRegistry, StepHooks } from "./JobGraph.js";
import { EtaEstimator } from "./EtaEstimator.js";
import type { JobJournal } from "./JobJournal.js";
import type { JobKindHost, KindContext } from "./JobKindHost.js";
import { jobTempDir } from "./jobTempDir.js";
import { undoUnrecordedCommits } from "./outputCommitMarker.js";
import { workerMessage, type WorkerMessage } from "./workerMessages.js";
import type { WorkerExit, WorkerHandle, WorkerLauncher } from "./WorkerLauncher.js";
import type { WorkerEntry } from "./workerEntry.js";

/** What every run of one queue shares. */
export interface JobRunSetup {
  journal: JobJournal;
  kindContext: KindContext;
  launcher: WorkerLauncher;
  entry: WorkerEntry;
  hosts: Partial<Record<string, JobKindHost>>;
  /** The hooks graph steps name (JobGraph.ts). */
  steps: StepHookRegistry;
  /** How long a cancelled worker may take to stop before it is killed. */
  cancelGraceMs: number;
  /** Minimum time between two progress writes (and events) of one job. */
  progressIntervalMs: number;
  workerEnv: NodeJS.ProcessEnv;
}

/** Lines of worker stdout/stderr kept per job; beyond that they are counted, not stored. */
const maxOutputLines = 5000;
/** After sending its result a worker has this long to exit before it is killed. */
const exitAfterResultMs = 5000;
const stderrTailLines = 30;

export class JobRun {
  readonly record: JobRecord;
  /** Resolves once the job's end is recorded. */
  readonly ended: Promise<void>;
  readonly #setup: JobRunSetup;
  /** Called once, just before the end is recorded: the scheduler frees the job's slot. */
  readonly #onSettled: (run: JobRun) => void;
  readonly #tempDir: string;
  /** The output's estimated size (0: unknown), to tell a write that failed for lack of space. */
  #outputBytes = 0;
  readonly #eta = new EtaEstimator();
  #markEnded!: () => void;
  #settled = false;
  #handle?: WorkerHandle;
  #result?: { value: unknown };
  #error?: AppError;
  /** Set by cancel(); the job ends 'cancelled' with this as its error. */
  #cancelReason?: string;
  /** Set by interrupt(); the job ends 'interrupted'. */
  #interruptReason?: string;
  #killTimer?: NodeJS.Timeout;
  #progress?: JobProgress;
  /** A training job's whole series, and the points not yet announced. */
  #metrics?: TrainingMetrics;
  #unannounced?: TrainingMetrics;
  #lastPersistAt = 0;
  #persistTimer?: NodeJS.Timeout;
  #outputLines = 0;
  /** The last lines of stderr, to explain a crash. */
  #stderrTail: string[] = [];

  constructor(record: JobRecord, setup: JobRunSetup, onSettled: (run: JobRun) => void) {
    this.record = record;
    this.#setup = setup;
    this.#onSettled = onSettled;
    this.#tempDir = jobTempDir(setup.kindContext.dataDir, record.id);
    this.ended = new Promise<void>((resolve) => (this.#markEnded = resolve));
  }

  /** The worker's process id once it is launched. */
  get pid(): number | undefined {
    return this.#handle?.pid;
  }

  start(): void {
    this.#setup.journal.emit(this.record.id);
    void this.#prepareAndSpawn();
  }

  /** Ends the job 'cancelled': the worker is asked to stop, and killed after the grace. */
  cancel(reason: string): void {
    if (this.#cancelReason || this.#interruptReason) return;
    this.#cancelReason = reason;
    this.#stopWorker();
  }

  /** Ends the job 'interrupted' (the queue closes), stopping the worker as a cancel does. */
  interrupt(reason: string): void {
    this.#interruptReason = reason;
    this.#stopWorker();
  }

  /**
   * interrupt() for a synchronous shutdown: kills the worker at once, deletes the temp folder and
   * records the job as interrupted before returning.
   */
  interruptNow(reason: string): void {
    this.#interruptReason = reason;
    clearTimeout(this.#killTimer);
    clearTimeout(this.#persistTimer);
    this.#handle?.kill();
    rmSync(this.#tempDir, { recursive: true, force: true });
    const staging = this.#stagingPath();
    if (staging) rmSync(staging, { recursive: true, force: true });
    this.#settled = true; // its late exit event finds nothing to do
    this.#onSettled(this);
    this.#setup.journal.finish(this.record.id, {
      state: "interrupted",
      finishedAt: now(),
      error: reason,
    });
    this.#markEnded();
  }

  async #prepareAndSpawn(): Promise<void> {
    const { hosts, kindContext, launcher, entry, workerEnv, journal } = this.#setup;
    try {
      const skip = await this.#buildStepParams();
      if (skip !== undefined) {
        this.#cancelReason ??= skip;
      } else {
        const host = hosts[this.record.kind];
        const estimate = await host?.estimateOutput?.(this.record.params as never, kindContext);
        this.#outputBytes = estimate?.bytes ?? 0;
        // A kind that stages beside its destination does not write its output in the temp folder.
        if (estimate) await ensureRoomForOutput(estimate, this.#stagingPath() ? null : this.#tempDir);
        await mkdir(this.#tempDir, { recursive: true });
      }
    } catch (error) {
      this.#error = toAppError(error);
      await this.#end({ code: null, signal: null });
      return;
    }
    if (this.#settled) return; // interruptNow() ended it meanwhile
    if (this.#cancelReason || this.#interruptReason) {
      await this.#end({ code: null, signal: null });
      return;
    }

    const handle = launcher.spawn({
      entryPath: entry.entryPath,
      execArgv: entry.execArgv,
      args: [],
      env: { ...process.env, ...workerEnv },
      // The user's working directory, as for any command they run.
      cwd: process.cwd(),
    });
    this.#handle = handle;
    handle.onMessage((raw) => this.#onWorkerMessage(raw));
    handle.onOutput((line, stream) => this.#onWorkerOutput(line, stream));
    handle.onExit((exit) => void this.#end(exit));
    journal.log(this.record.id, "info", `worker started (pid ${handle.pid ?? "?"})`);
  }

  /** The step's hooks, when it is a graph step that names them. */
  get #stepHooks(): StepHooks | undefined {
    const hook = this.record.hook;
    return hook ? this.#setup.steps[hook.name] : undefined;
  }

  #stepContext(): StepContext {
    return { ...this.#setup.kindContext, experimentId: this.record.experimentId };
  }

  /**
   * A graph step whose parameters come from the jobs it waited for: its hook builds them now, they
   * are checked against the kind's contract and stored on the row. Returns why it has nothing to do.
   */
  async #buildStepParams(): Promise<string | undefined> {
    const hook = this.record.hook;
    if (!hook) return undefined;
    const hooks = this.#stepHooks;
    if (!hooks) throw new Error(`graph step ${this.record.stepKey}: no step hooks named "${hook.name}"`);
    if (!hooks.params) return undefined;
    const { db } = this.#setup.kindContext;
    const dependencies: DependencyOutcome[] = [];
    for (const id of this.record.needs) {
      const d = getJobRecord(db, id);
      if (d)
        dependencies.push({
          jobId: d.id,
          stepKey: d.stepKey,
          kind: d.kind,
          state: d.state,
          result: d.result,
        });
    }
    const start = await hooks.params(hook.input, dependencies, this.#stepContext());
    if ("skip" in start) return start.skip;
    const kind = this.record.kind;
    const params = isJobKind(kind) ? jobKinds[kind].params.parse(start.params) : start.params;
    updateJobParams(db, this.record.id, params);
    this.record.params = params;
    this.#setup.journal.emit(this.record.id);
    return undefined;
  }

  #onWorkerMessage(raw: unknown): void {
    const parsed = workerMessage.safeParse(raw);
    if (!parsed.success) {
      this.#setup.journal.log(this.record.id, "warn", "ignored a malformed message from the worker");
      return;
    }
    const message: WorkerMessage = parsed.data;
    switch (message.type) {
      case "ready":
        this.#handle?.send({
          type: "start",
          jobId: this.record.id,
          kind: this.record.kind,
          params: this.record.params,
          dataDir: this.#setup.kindContext.dataDir,
          tempDir: this.#tempDir,
        });
        if (this.#cancelReason) this.#handle?.send({ type: "cancel" });
        break;
      case "progress": {
        const etaSeconds = this.#eta.update(message.fraction);
        this.#progress = {
          fraction: message.fraction,
          step: message.step,
          etaSeconds: message.etaSeconds ?? etaSeconds,
        };
        this.#persistProgressSoon();
        break;
      }
      case "metrics": {
        const { type: _type, ...points } = message;
        this.#metrics = appendTrainingMetrics(this.#metrics ?? emptyTrainingMetrics, points);
        this.#unannounced = appendTrainingMetrics(this.#unannounced ?? emptyTrainingMetrics, points);
        this.#persistProgressSoon();
        break;
      }
      case "log":
        this.#setup.journal.log(this.record.id, message.level, message.message);
        break;
      case "result":
        this.#acceptValue(message.value);
        // The worker exits by itself after its result; one that hangs in native teardown is killed.
        this.#killTimer ??= setTimeout(() => this.#handle?.kill(), exitAfterResultMs);
        break;
      case "error":
        this.#error = appErrorOf(message) ?? toAppError(new Error(message.message));
        break;
    }
  }

  /** The one place a worker's value is checked against its kind's contract; the host gets it parsed. */
  #acceptValue(value: unknown): void {
    const kind = this.record.kind;
    // A kind this version does not declare has no runner either; the worker reports that itself.
    if (!isJobKind(kind)) {
      this.#result = { value };
      return;
    }
    const checked = parseWorkerValue(kind, value);
    if (checked.ok) this.#result = { value: checked.value };
    else this.#error = toAppError(new Error(checked.error));
  }

  #onWorkerOutput(line: string, stream: "stdout" | "stderr"): void {
    if (line.trim() === "") return;
    if (stream === "stderr") this.#stderrTail = [...this.#stderrTail.slice(-(stderrTailLines - 1)), line];
    this.#outputLines++;
    const { journal } = this.#setup;
    if (this.#outputLines <= maxOutputLines) journal.log(this.record.id, "info", line);
    else if (this.#outputLines === maxOutputLines + 1)
      journal.log(this.record.id, "warn", `more than ${maxOutputLines} output lines; the rest are not kept`);
  }

  /** At most one progress write per interval; the latest report always lands. */
  #persistProgressSoon(): void {
    const wait = this.#lastPersistAt + this.#setup.progressIntervalMs - Date.now();
    if (wait <= 0) {
      clearTimeout(this.#persistTimer);
      this.#persistTimer = undefined;
      this.#persistProgress();
      return;
    }
    this.#persistTimer ??= setTimeout(() => {
      this.#persistTimer = undefined;
      this.#persistProgress();
    }, wait);
  }

  #persistProgress(): void {
    if ((!this.#progress && !this.#metrics) || this.#settled) return;
    this.#lastPersistAt = Date.now();
    this.#setup.journal.progress(this.record.id, this.#progress ?? null, this.#metrics);
    this.#announceMetrics();
    this.#setup.journal.emit(this.record.id);
  }

  /** Written first, announced second: a screen that fetches on this event finds the points stored. */
  #announceMetrics(): void {
    if (!this.#unannounced) return;
    this.#setup.journal.emitMetrics(this.record.id, this.#unannounced);
    this.#unannounced = undefined;
  }

  /** Cancel message first (the runner aborts its signal and cleans up), SIGKILL after the grace. */
  #stopWorker(): void {
    const handle = this.#handle;
    if (!handle) return; // not spawned yet: #prepareAndSpawn sees the reason
    handle.send({ type: "cancel" });
    clearTimeout(this.#killTimer);
    this.#killTimer = setTimeout(() => handle.kill(), this.#setup.cancelGraceMs);
  }

  /** The worker is gone (or never started): decide the outcome, clean up, record. */
  async #end(exit: WorkerExit): Promise<void> {
    if (this.#settled) return; // already ended by interruptNow()
    clearTimeout(this.#killTimer);
    clearTimeout(this.#persistTimer);
    const { journal } = this.#setup;
    const id = this.record.id;
    let outcome: JobOutcome;
    if (this.#interruptReason) {
      outcome = { state: "interrupted", finishedAt: "", error: this.#interruptReason };
    } else if (this.#cancelReason) {
      outcome = { state: "cancelled", finishedAt: "", error: this.#cancelReason };
    } else if (this.#result) {
      outcome = await this.#complete(this.#result.value);
    } else if (this.#error) {
      outcome = { state: "failed", finishedAt: "", error: this.#error.message, errorDetail: this.#error };
    } else {
      outcome = { state: "failed", finishedAt: "", error: describeWorkerExit(exit, this.#stderrTail) };
    }
    // A write that failed because the disk filled after the space check is named as such, with the
    // path; a failure that already has a specific reason keeps it.
    const unexplained =
      outcome.state === "failed" &&
      ["FAILED", "QUANTIZE_FAILED", undefined].includes(outcome.errorDetail?.code);
    for (const dir of [this.#tempDir, this.#stagingPath()]) {
      const full = unexplained && dir ? await diskFilledDuringWrite(dir, this.#outputBytes) : null;
      if (full)
        outcome = { state: "failed", finishedAt: "", error: full.message, errorDetail: full.toData() };
    }
    if (this.#handle)
      journal.log(
        id,
        outcome.state === "succeeded" ? "info" : "warn",
        `worker ended (${exitWords(exit)}); job ${outcome.state}`,
      );
    // An output moved into place by a completion that then failed is taken back (never a user's file).
    if (outcome.state !== "succeeded") {
      const removed = await undoUnrecordedCommits(this.#tempDir, this.#setup.kindContext.db).catch(
        (error: unknown) => {
          journal.log(id, "warn", `could not take back the output: ${(error as Error).message}`);
          return [];
        },
      );
      for (const file of removed) journal.log(id, "info", `removed the unrecorded output ${file}`);
    }
    // Whatever the outcome, nothing the job wrote to its temp folder survives it. A succeeded job's
    // folder goes once its success is recorded: until then its commit markers let recovery take back
    // an output that nothing records (an export's bundle, a trained model).
    const succeeded = outcome.state === "succeeded";
    for (const dir of [succeeded ? undefined : this.#tempDir, this.#stagingPath()]) {
      if (!dir) continue;
      await rm(dir, { recursive: true, force: true }).catch((error: unknown) => {
        journal.log(id, "warn", `could not delete temp folder ${dir}: ${(error as Error).message}`);
      });
    }
    if (this.#settled) return; // interruptNow() ended it meanwhile
    this.#settled = true;
    if ((this.#progress || this.#metrics) && outcome.progress === undefined)
      journal.progress(id, this.#progress ?? null, this.#metrics);
    this.#announceMetrics();
    this.#onSettled(this);
    crashPoint("job.before-finish");
    journal.finish(id, { ...outcome, metrics: this.#metrics ?? null, finishedAt: now() });
    if (succeeded) {
      try {
        // In the same tick as the finish: whoever awaits the job finds the folder gone.
        rmSync(this.#tempDir, { recursive: true, force: true });
      } catch (error) {
        journal.log(id, "warn", `could not delete temp folder ${this.#tempDir}: ${(error as Error).message}`);
      }
    }
    this.#markEnded();
  }

  /** Output the kind stages outside the temp folder (JobKindHost.stagingPath), if any. */
  #stagingPath(): string | undefined {
    const host = this.#setup.hosts[this.record.kind];
    return host?.stagingPath?.(this.record.params as never, this.record.id);
  }

  /** The kind's host turns the worker's value into the job's result (and records it). */
  async #complete(value: unknown): Promise<JobOutcome> {
    const kind = this.record.kind;
    try {
      const host = this.#setup.hosts[kind];
      const produced = host?.complete
        ? await host.complete(value as never, this.record.params as never, {
            ...this.#setup.kindContext,
            job: toJob(this.record),
            tempDir: this.#tempDir,
          })
        : value;
      const result = isJobKind(kind) ? jobKinds[kind].result.parse(produced) : produced;
      const hooks = this.#stepHooks;
      if (hooks?.succeeded)
        await hooks.succeeded(
          this.record.hook!.input,
          { ...toJob(this.record), result },
          this.#stepContext(),
        );
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
}

function exitWords(exit: WorkerExit): string {
  if (exit.signal) return `signal ${exit.signal}`;
  return exit.code === null ? "not started" : `exit code ${exit.code}`;
}
