// Runs one job through the queue in this CLI process and waits for it: progress on stderr, Ctrl+C
// cancels the job (its worker is stopped and its temp files deleted before the command returns),
// the result on stdout. Commands that do native work (quantize, imatrix, ...) are thin shells over
// this: `const job = await runJobInForeground(context, "kind", params, { human: (r) => ... })`.
import type { Job } from "../../shared/domain/job.js";
import type { JobKind, JobParams, JobResult } from "../../shared/protocol/jobKinds.js";
import type { CliContext } from "./context.js";
import { errorDetailLines } from "./errorWords.js";
import { JobProgressLine, jobTitle } from "./jobProgress.js";

export interface ForegroundOptions<R> {
  /** Prints the result for people (stdout); default: a one-line summary. */
  human?: (result: R, job: Job) => void;
  /** What --json prints on success; default: the whole job (its `result` included). */
  json?: (result: R, job: Job) => unknown;
  dependsOn?: string | null;
  experimentId?: string | null;
  /** false: a step of a bigger command, which prints its own result (default true). */
  printResult?: boolean;
}

/** Exit code of a command whose job the user cancelled with Ctrl+C (128 + SIGINT). */
export const cancelledExitCode = 130;

/**
 * Resolves with the finished job whatever its outcome; a job that did not succeed also sets
 * context.exitCode (1, or 130 when cancelled) and prints why on stderr. Throws only when the job
 * cannot be queued (unknown kind, invalid parameters).
 */
export async function runJobInForeground<K extends JobKind>(
  context: CliContext,
  kind: K,
  params: JobParams<K>,
  options: ForegroundOptions<JobResult<K>> = {},
): Promise<Job> {
  const { output } = context;
  const queue = context.workbench().jobs;
  // This process runs its own job only; queued jobs of a gone app stay for the app to adopt.
  await queue.start({ adoptQueued: false });

  const stderr = output.streams.stderr;
  const line = new JobProgressLine(
    stderr,
    output.options.progress ?? Boolean(stderr.isTTY),
    Boolean(stderr.isTTY),
  );
  const queued = queue.enqueue(kind, params, {
    dependsOn: options.dependsOn,
    experimentId: options.experimentId,
  });
  const unsubscribe = context.workbench().events.subscribe((topic, payload) => {
    if (topic === "jobs.updated" && (payload as Job).id === queued.id) line.update(payload as Job);
  });

  let interrupted = false;
  const onInterrupt = (): void => {
    if (interrupted) return; // a second Ctrl+C changes nothing: the kill follows within a second
    interrupted = true;
    line.done();
    output.note(`cancelling job ${queued.id}…`);
    void queue.cancel(queued.id, "cancelled by user (Ctrl+C)");
  };
  process.on("SIGINT", onInterrupt);
  process.on("SIGTERM", onInterrupt);

  let job: Job;
  try {
    job = await queue.waitFor(queued.id);
  } finally {
    process.removeListener("SIGINT", onInterrupt);
    process.removeListener("SIGTERM", onInterrupt);
    unsubscribe();
    line.done();
  }

  if (job.state === "succeeded") {
    const result = job.result as JobResult<K>;
    if (options.printResult === false) return job;
    output.result(options.json ? options.json(result, job) : job, () => {
      if (options.human) options.human(result, job);
      else output.line(`${jobTitle(job)}: done (job ${job.id})`);
    });
    return job;
  }
  if (output.json) output.line(JSON.stringify(job, null, 2));
  output.error(`job ${job.id} (${jobTitle(job)}) ${job.state}${job.error ? `: ${job.error}` : ""}`);
  for (const detail of job.errorDetail ? errorDetailLines(job.errorDetail) : []) output.note(`  ${detail}`);
  context.exitCode = job.state === "cancelled" && interrupted ? cancelledExitCode : 1;
  return job;
}
