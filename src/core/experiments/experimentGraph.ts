// An experiment's job graph as its callers see it (core/jobs/JobGraph.ts has the mechanism): its
// derived state, following the jobs a start or a resume queued until they end, and resuming it.
import type { Job } from "../../shared/domain/job.js";
import { ProtocolError } from "../../shared/protocol/wire.js";
import type { ExperimentState } from "../../shared/domain/experiment.js";
import { CodedError } from "../errors.js";
import { experimentState, isResumable, latestSteps } from "../jobs/JobGraph.js";
import type { JobQueue } from "../jobs/JobQueue.js";
import type { EventBus } from "../rpc/eventBus.js";
import { listExperimentJobRecords } from "../store/jobs.js";
import type { Db } from "../store/Store.js";

export interface GraphHost {
  readonly db: Db;
  readonly jobs: JobQueue;
  readonly events: EventBus;
}

/** "quantize:Q8_0" → step "quantize", label "Q8_0"; "eval" → step "eval", label "eval". */
export function splitStepKey(key: string): { step: string; label: string } {
  const at = key.indexOf(":");
  return at < 0 ? { step: key, label: key } : { step: key.slice(0, at), label: key.slice(at + 1) };
}

export interface GraphStepRecord {
  step: string;
  label: string;
  /** The job that did it, or null when an earlier result was reused. */
  jobId: string | null;
  state: Job["state"] | "reused";
  error: string | null;
  /** The failed job's error as data (its remedies), when it has one. */
  errorDetail?: Job["errorDetail"];
}

export interface GraphOutcome {
  experimentId: string;
  steps: GraphStepRecord[];
  failed: number;
}

export interface GraphRun {
  experimentId: string;
  /** Resolves when every job queued by this start or resume has ended (never rejects for a failed job). */
  done: Promise<GraphOutcome>;
}

export interface FollowOptions {
  /** Aborting cancels the experiment's unfinished jobs. */
  signal?: AbortSignal;
  /** Called for each job queued (the CLI follows their progress). */
  onJob?: (job: Job) => void;
}

export function stateOfExperiment(db: Db, experimentId: string): ExperimentState {
  return experimentState(listExperimentJobRecords(db, experimentId));
}

/** Waits for `jobs` to end; `reused` are steps planned as reused (no job). */
export function followGraph(
  host: GraphHost,
  experimentId: string,
  jobs: readonly Job[],
  reused: readonly GraphStepRecord[],
  options: FollowOptions = {},
): GraphRun {
  const cancel = (): void =>
    void host.jobs.cancelExperiment(experimentId, "sweep cancelled").catch(() => undefined);
  if (options.signal?.aborted) cancel();
  options.signal?.addEventListener("abort", cancel, { once: true });
  for (const job of jobs) options.onJob?.(job);
  const done = Promise.all(jobs.map((job) => host.jobs.waitFor(job.id))).then((ended) => {
    options.signal?.removeEventListener("abort", cancel);
    host.events.emit("experiments.changed", { id: experimentId });
    const steps: GraphStepRecord[] = [
      ...reused,
      ...ended.map((job) => ({
        ...splitStepKey(job.stepKey ?? job.kind),
        jobId: job.id,
        state: job.state,
        error: job.error,
        errorDetail: job.errorDetail,
      })),
    ];
    return {
      experimentId,
      steps,
      failed: steps.filter(
        (s) => s.state === "failed" || s.state === "cancelled" || s.state === "interrupted",
      ).length,
    };
  });
  return { experimentId, done };
}

/**
 * Queues again, in `host.jobs`, the steps of the experiment that did not succeed, and follows them.
 * Refused when the experiment is running, or has nothing left to do.
 */
export function resumeExperiment(
  host: GraphHost,
  experimentId: string,
  options: FollowOptions = {},
): GraphRun {
  const state = stateOfExperiment(host.db, experimentId);
  if (!isResumable(state))
    throw new ProtocolError(
      state === "running" ? "EXPERIMENT_RUNNING" : "NOTHING_TO_RESUME",
      state === "running"
        ? `experiment ${experimentId} is running; cancel it or wait for it to end`
        : `experiment ${experimentId} has nothing to resume: ${state === "empty" ? "it has no steps" : "every step succeeded"}`,
    );
  // Jobs recorded before experiments kept their plan as keyed steps: nothing says what is left.
  const keyedLeft = latestSteps(listExperimentJobRecords(host.db, experimentId)).some(
    (r) => r.stepKey !== null && r.state !== "succeeded",
  );
  if (!keyedLeft)
    throw new CodedError(
      "EXPERIMENT_NOT_RESUMABLE",
      `experiment ${experimentId} cannot be resumed: its jobs were recorded before experiments kept their plan as steps, so what is left to do is not known; running it again reuses every finished variant and measurement`,
      { remedies: ["rerun-experiment"] },
    );
  const jobs = host.jobs.resumeGraph(experimentId);
  host.events.emit("experiments.changed", { id: experimentId });
  return followGraph(host, experimentId, jobs, [], options);
}

export interface StepRetry extends GraphRun {
  /** The jobs queued: the steps it needs that did not succeed, then the retried step. */
  jobs: Job[];
}

/**
 * Retries a finished job that is a step of an experiment's graph through that graph (the step and
 * what it needs that did not succeed, JobQueue.retryStep), and follows the jobs queued.
 */
export function retryExperimentStep(host: GraphHost, jobId: string, options: FollowOptions = {}): StepRetry {
  const jobs = host.jobs.retryStep(jobId);
  const experimentId = jobs[0]!.experimentId!;
  host.events.emit("experiments.changed", { id: experimentId });
  return { ...followGraph(host, experimentId, jobs, [], options), jobs };
}
