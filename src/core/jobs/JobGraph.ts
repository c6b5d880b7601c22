// Multi-step work as a persistent job graph. A recipe (a sweep, and any later multi-step feature)
// plans its steps up front as nodes {key, kind, params or a hook, dependsOn keys}; the queue writes
// them all as job rows in one SQLite transaction, tagged with the experiment and each step's key,
// so a crash or a kill cannot lose the rest of the work. The experiment's state is derived from
// those rows (experimentState), and resuming re-queues only the steps that did not succeed, with
// their dependencies pointing at the steps that did (planResume).
//
// A step whose parameters depend on an earlier step's result (a quantize needs the importance
// matrix just computed; a benchmark needs the variant's model id) is stored with a named hook
// instead of parameters: StepHooks.params builds them when the step starts, from the plain input
// its plan stored and the outcomes of the jobs it waited for. Hooks are looked up by name in a
// registry (stepHooks.ts), so a graph survives a restart: nothing of it lives only in memory.
import type { ExperimentState } from "../../shared/domain/experiment.js";
import type { Job, JobState } from "../../shared/domain/job.js";
import { isFinished } from "../../shared/domain/job.js";
import type { JobKind, JobParams } from "../../shared/protocol/jobKinds.js";
import { ProtocolError } from "../../shared/protocol/wire.js";
import type { JobRecord, StepHookRef } from "../store/jobs.js";
import type { KindContext } from "./JobKindHost.js";
import { isOwnerAlive } from "./jobOwner.js";

/** One step of a graph as its recipe plans it. */
export type GraphNode = {
  [K in JobKind]: {
    /** Unique in its experiment: "imatrix", "quantize:Q8_0", "bench:base", "eval". */
    key: string;
    kind: K;
    /** The step's parameters when they are known at planning time. */
    params?: JobParams<K>;
    /** Otherwise the hooks that build them when the step starts (and/or act when it succeeds). */
    hook?: StepHookRef;
    /** Keys of the steps it waits for: earlier nodes of this graph, or succeeded steps passed along. */
    dependsOn?: readonly string[];
  };
}[JobKind];

/** What a step's hook sees of a job it waited for. */
export interface DependencyOutcome {
  jobId: string;
  stepKey: string | null;
  kind: string;
  state: JobState;
  result: unknown;
}

/** The parameters to run the step with, or why it has nothing to do (it ends 'cancelled'). */
export type StepStart = { params: unknown } | { skip: string };

export interface StepContext extends KindContext {
  readonly experimentId: string | null;
}

export interface StepHooks {
  /** Builds the step's parameters when it starts; they are validated against its kind, then stored. */
  params?(
    input: unknown,
    dependencies: DependencyOutcome[],
    context: StepContext,
  ): StepStart | Promise<StepStart>;
  /** Called once the step's result is recorded (throwing fails the step). */
  succeeded?(input: unknown, job: Job, context: StepContext): void | Promise<void>;
  /**
   * Whether the step still runs when some jobs it waits for failed (its params hook decides what
   * to do without them). Default: a failed, cancelled or interrupted dependency cancels the step.
   */
  tolerateFailedDependencies?: boolean;
  /**
   * Whether it also runs when a job it waits for was cancelled (or skipped): for a step whose
   * dependencies only order it, as a sweep's chained benchmarks are. Default: cancelled cancels it.
   */
  tolerateCancelledDependencies?: boolean;
}

export type StepHookRegistry = Readonly<Record<string, StepHooks>>;

/** Per step key the newest job (a resumed step is a newer job with the same key); unkeyed jobs as they are. */
export function latestSteps(records: readonly JobRecord[]): JobRecord[] {
  const byKey = new Map<string, JobRecord>();
  const unkeyed: JobRecord[] = [];
  for (const record of records) {
    if (record.stepKey === null) unkeyed.push(record);
    else byKey.set(record.stepKey, record); // records come oldest first
  }
  return [...unkeyed, ...byKey.values()];
}

/** True when nothing will ever run this unfinished job: its process is gone. */
export function isStranded(record: JobRecord): boolean {
  return !isFinished(record.state) && !isOwnerAlive(record.owner);
}

/** A job still queued or running in a live process. */
function isLive(record: JobRecord): boolean {
  return !isFinished(record.state) && !isStranded(record);
}

/**
 * running: a step is queued or running in a live process; otherwise interrupted when a step was
 * stopped by a crash, a kill or the app closing (or is queued with no process left to run it),
 * failed, cancelled, succeeded, or empty (no jobs: everything was reused or nothing was planned).
 */
export function experimentState(records: readonly JobRecord[]): ExperimentState {
  const steps = latestSteps(records);
  if (steps.length === 0) return "empty";
  if (steps.some(isLive)) return "running";
  if (steps.some((r) => r.state === "interrupted" || isStranded(r))) return "interrupted";
  if (steps.some((r) => r.state === "failed")) return "failed";
  if (steps.some((r) => r.state === "cancelled")) return "cancelled";
  return "succeeded";
}

export { isResumableState as isResumable } from "../../shared/domain/experiment.js";

export interface ResumePlan {
  /** The steps to queue again (their newest job, copied as a new one). */
  requeue: JobRecord[];
  /** Step key → the job id a requeued step's dependency on that key points at (succeeded steps). */
  done: Map<string, string>;
}

/** Per step key its newest job, for the keyed steps only. */
function newestByKey(records: readonly JobRecord[]): Map<string, JobRecord> {
  return new Map(
    latestSteps(records)
      .filter((r) => r.stepKey !== null)
      .map((r) => [r.stepKey!, r]),
  );
}

/** The steps in the order they were first planned (a step always comes after those it needs). */
function inPlanOrder(steps: JobRecord[], records: readonly JobRecord[]): JobRecord[] {
  const firstSeen = new Map<string, number>();
  records.forEach((r, i) => r.stepKey !== null && !firstSeen.has(r.stepKey) && firstSeen.set(r.stepKey, i));
  return steps.sort((a, b) => firstSeen.get(a.stepKey!)! - firstSeen.get(b.stepKey!)!);
}

/**
 * What resuming the experiment's graph queues: every step whose newest job did not succeed, in the
 * order they were first planned; their dependencies keep pointing at the succeeded steps.
 */
export function planResume(records: readonly JobRecord[]): ResumePlan {
  const steps = [...newestByKey(records).values()];
  const live = steps.find(isLive);
  if (live)
    throw new ProtocolError(
      "EXPERIMENT_RUNNING",
      `step ${live.stepKey} of this experiment is ${live.state} in a running process; cancel it or wait for it to end`,
    );
  const done = new Map<string, string>();
  const requeue: JobRecord[] = [];
  for (const step of steps) {
    if (step.state === "succeeded") done.set(step.stepKey!, step.id);
    else requeue.push(step);
  }
  return { requeue: inPlanOrder(requeue, records), done };
}

/**
 * What retrying one step queues: that step again, and every step it needs (directly or through
 * others) whose newest job did not succeed; what it needs that succeeded, or still runs, it waits
 * for as it is. The steps that need it are left alone (resuming the experiment runs them).
 */
export function planStepRetry(records: readonly JobRecord[], stepKey: string): ResumePlan {
  const newest = newestByKey(records);
  const target = newest.get(stepKey);
  if (!target) throw new ProtocolError("NOT_FOUND", `the experiment has no step ${stepKey}`);
  if (isLive(target))
    throw new ProtocolError(
      "STEP_RUNNING",
      `step ${stepKey} is ${target.state} again as job ${target.id}; cancel it or wait for it to end`,
    );
  if (target.state === "succeeded")
    throw new ProtocolError(
      "NOTHING_TO_RETRY",
      `step ${stepKey} of its experiment succeeded (job ${target.id}); only a step that did not succeed is retried`,
    );
  const keyOf = new Map(records.map((r) => [r.id, r.stepKey]));
  const done = new Map<string, string>();
  const requeue = new Map<string, JobRecord>();
  const visit = (key: string): void => {
    const step = newest.get(key);
    if (!step || requeue.has(key) || done.has(key)) return;
    if (step.state === "succeeded" || isLive(step)) {
      done.set(key, step.id);
      return;
    }
    requeue.set(key, step);
    for (const id of step.needs) {
      const needed = keyOf.get(id);
      if (needed) visit(needed);
    }
  };
  visit(stepKey);
  return { requeue: inPlanOrder([...requeue.values()], records), done };
}

/** The graph nodes that re-queue `plan.requeue` (dependency ids mapped back to step keys). */
export function resumeNodes(
  plan: ResumePlan,
  records: readonly JobRecord[],
  hooks: StepHookRegistry,
): GraphNode[] {
  const keyOf = new Map(records.map((r) => [r.id, r.stepKey]));
  return plan.requeue.map(
    (step) =>
      ({
        key: step.stepKey!,
        kind: step.kind,
        // A step built by its hook is built again: the jobs it waits for may give other results.
        ...(step.hook && hooks[step.hook.name]?.params ? {} : { params: step.params }),
        ...(step.hook ? { hook: step.hook } : {}),
        dependsOn: step.needs.map((id) => keyOf.get(id)).filter((key): key is string => Boolean(key)),
      }) as GraphNode,
  );
}
