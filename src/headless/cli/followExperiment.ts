// Runs a sweep (or resumes an experiment's job graph) in this CLI process and follows it: one
// progress line for whichever of its jobs is running ("[3/9 done] Quantize  42.0 %  blk.3.ffn_up.weight
// ETA 2.1 s"), Ctrl+C cancels the experiment's jobs, and the outcome comes back once every job queued
// has ended. Killed outright, the graph stays in the database: the experiment shows as interrupted.
import type { Job } from "../../shared/domain/job.js";
import {
  resumeExperiment,
  retryExperimentStep,
  type FollowOptions,
  type GraphOutcome,
  type GraphRun,
} from "../../core/experiments/experimentGraph.js";
import { startSweep, type SweepOutcome, type SweepRequest } from "../../core/experiments/runSweep.js";
import type { CliContext } from "./context.js";
import { errorDetailLines } from "./errorWords.js";
import { cancelledExitCode } from "./runJobInForeground.js";
import { formatJobProgress } from "./jobProgress.js";

export async function followSweep(context: CliContext, request: SweepRequest): Promise<SweepOutcome> {
  const workbench = context.workbench();
  return (await followGraphRun(context, async (options) => {
    const run = await startSweep(workbench, request, options);
    if (run.resumed) context.output.note(`resuming the unfinished experiment ${run.experimentId}`);
    return run;
  })) as SweepOutcome;
}

/** Queues again the steps of the experiment that did not succeed, and follows them. */
export async function followResume(context: CliContext, experimentId: string): Promise<GraphOutcome> {
  const workbench = context.workbench();
  return followGraphRun(context, (options) =>
    Promise.resolve(resumeExperiment(workbench, experimentId, options)),
  );
}

/**
 * Retries a job that is a step of an experiment through the experiment's graph (the step and the
 * steps it needs that did not succeed), saying so, and follows the jobs queued.
 */
export async function followStepRetry(context: CliContext, jobId: string): Promise<GraphOutcome> {
  const workbench = context.workbench();
  return followGraphRun(context, (options) => {
    const retry = retryExperimentStep(workbench, jobId, options);
    const step = retry.jobs.at(-1)!;
    const needed = retry.jobs.slice(0, -1).map((job) => job.stepKey);
    context.output.note(
      `job ${jobId} is step ${step.stepKey} of experiment ${retry.experimentId}: retried through the experiment as job ${step.id}` +
        (needed.length > 0 ? `, after the steps it needs that did not succeed (${needed.join(", ")})` : ""),
    );
    return Promise.resolve(retry);
  });
}

/** The steps that did not succeed, with why and what to do. */
export function noteUnsucceededSteps(context: CliContext, outcome: GraphOutcome): void {
  for (const step of outcome.steps.filter((s) => s.state !== "succeeded" && s.state !== "reused")) {
    context.output.note(`${step.step} ${step.label}: ${step.state}${step.error ? ` (${step.error})` : ""}`);
    for (const line of step.errorDetail ? errorDetailLines(step.errorDetail) : [])
      context.output.note(`  ${line}`);
  }
}

/** Starts a job graph through `start` and follows it (progress, Ctrl+C cancels its jobs). */
export async function followGraphRun(
  context: CliContext,
  start: (options: FollowOptions) => Promise<GraphRun>,
): Promise<GraphOutcome> {
  const workbench = context.workbench();
  const { output } = context;
  await workbench.jobs.start({ adoptQueued: false });
  const stderr = output.streams.stderr;
  const enabled = output.options.progress ?? Boolean(stderr.isTTY);
  const tty = Boolean(stderr.isTTY);

  const abort = new AbortController();
  const jobs = new Map<string, Job>();
  let lastLine = "";
  let lastPrint = 0;
  const render = (job: Job): void => {
    jobs.set(job.id, job);
    if (!enabled) return;
    const finished = [...jobs.values()].filter((j) => j.state !== "queued" && j.state !== "running").length;
    const text = `[${finished}/${jobs.size} done] ${formatJobProgress(job)}`;
    if (tty) {
      stderr.write(`\r\x1b[2K${text}`);
      return;
    }
    const now = Date.now();
    if (text === lastLine || (now - lastPrint < 1000 && job.state === "running")) return;
    lastLine = text;
    lastPrint = now;
    stderr.write(`${text}\n`);
  };

  const unsubscribe = workbench.events.subscribe((topic, payload) => {
    if (topic === "jobs.updated" && jobs.has((payload as Job).id)) render(payload as Job);
  });
  let interrupted = false;
  const onInterrupt = (): void => {
    if (interrupted) return;
    interrupted = true;
    output.note("\ncancelling the sweep's jobs…");
    abort.abort();
  };
  process.on("SIGINT", onInterrupt);
  process.on("SIGTERM", onInterrupt);
  try {
    const run = await start({ signal: abort.signal, onJob: (job) => render(job) });
    output.note(`experiment ${run.experimentId}`);
    const outcome = await run.done;
    if (interrupted) context.exitCode = cancelledExitCode;
    else if (outcome.failed > 0) context.exitCode = 1;
    return outcome;
  } finally {
    process.removeListener("SIGINT", onInterrupt);
    process.removeListener("SIGTERM", onInterrupt);
    unsubscribe();
    if (tty && enabled) stderr.write("\n");
  }
}
