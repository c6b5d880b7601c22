// `cwb jobs …`: the job queue from the command line. list/show/logs read the database (jobs of the
// desktop app included); cancel reaches a job running in another process through the database;
// run/retry run a job in the foreground in this process (see runJobInForeground.ts).
import type { Command } from "commander";
import { isFinished, type Job } from "../../../shared/domain/job.js";
import { formatDateTime, formatDuration, formatPercent } from "../../../shared/format.js";
import { isJobKind, jobKinds, type JobParams } from "../../../shared/protocol/jobKinds.js";
import type { CliContext } from "../context.js";
import { remedyAsFlag } from "../errorWords.js";
import { formatJobProgress, jobTitle } from "../jobProgress.js";
import type { Output } from "../output.js";
import { followStepRetry, noteUnsucceededSteps } from "../followExperiment.js";
import { runJobInForeground } from "../runJobInForeground.js";
import { positiveInteger } from "../parseOptions.js";

export function registerJobsCommands(program: Command, context: CliContext): void {
  const jobs = program
    .command("jobs")
    .description("long operations (imports, quantization, measurements) and their state");

  jobs
    .command("list")
    .alias("ls")
    .description("recent jobs, newest first")
    .option("--limit <n>", "how many", "50")
    .action(async (options: { limit: string }) => {
      const { output } = context;
      const limit = positiveInteger("--limit", options.limit);
      const queue = context.workbench().jobs;
      await queue.recoverInterrupted();
      const rows = queue.list(limit);
      output.result(rows, () => {
        if (rows.length === 0) {
          output.line("No jobs yet.");
          return;
        }
        output.table<Job>(rows, [
          { header: "ID", value: (j) => j.id },
          { header: "KIND", value: (j) => j.kind },
          { header: "STATE", value: (j) => j.state },
          {
            header: "PROGRESS",
            value: (j) => (j.progress?.fraction == null ? "" : formatPercent(j.progress.fraction, 0)),
            align: "right",
          },
          { header: "CREATED", value: (j) => formatDateTime(j.createdAt) },
          { header: "TOOK", value: (j) => took(j), align: "right" },
          { header: "ERROR", value: (j) => truncate(j.error ?? "", 60) },
        ]);
      });
    });

  jobs
    .command("show")
    .description("one job: parameters, state, progress, result or error, and its last log lines")
    .argument("<id>", "job id or a unique prefix of it")
    .option("--logs <n>", "log lines to show", "20")
    .action(async (id: string, options: { logs: string }) => {
      const { output } = context;
      const tail = positiveInteger("--logs", options.logs);
      const queue = context.workbench().jobs;
      await queue.recoverInterrupted();
      const job = queue.get(id);
      const logs = queue.logs(job.id, tail);
      output.result({ ...job, logs }, () => printJob(output, job, logs));
    });

  jobs
    .command("logs")
    .description("a job's log lines (worker output included)")
    .argument("<id>", "job id or a unique prefix of it")
    .option("--tail <n>", "last n lines", "200")
    .action((id: string, options: { tail: string }) => {
      const { output } = context;
      const queue = context.workbench().jobs;
      const logs = queue.logs(id, positiveInteger("--tail", options.tail));
      output.result(logs, () => {
        for (const line of logs) output.line(`${line.at}  ${line.level.padEnd(5)}  ${line.message}`);
      });
    });

  jobs
    .command("cancel")
    .description("cancel a queued or running job (also one the desktop app runs)")
    .argument("<id>", "job id or a unique prefix of it")
    .action(async (id: string) => {
      const { output } = context;
      const job = await context.workbench().jobs.cancel(id);
      output.result(job, () => {
        if (job.state === "cancelled") output.line(`Cancelled job ${job.id} (${jobTitle(job)})`);
        else if (isFinished(job.state)) output.line(`Job ${job.id} had already ended: ${job.state}`);
        else output.line(`Asked the process running job ${job.id} to cancel it; it is still ${job.state}`);
      });
      if (!isFinished(job.state)) context.exitCode = 1;
    });

  jobs
    .command("run")
    .description("run a job of any kind in the foreground (Ctrl+C cancels it); mostly for diagnostics")
    .argument("<kind>", `job kind: ${Object.keys(jobKinds).join(", ")}`)
    .option("--params <json>", "the job's parameters as JSON", "{}")
    .action(async (kind: string, options: { params: string }) => {
      if (!isJobKind(kind))
        throw new Error(`unknown job kind "${kind}"; known kinds: ${Object.keys(jobKinds).join(", ")}`);
      let params: unknown;
      try {
        params = JSON.parse(options.params);
      } catch (error) {
        throw new Error(`--params: not valid JSON: ${(error as Error).message}`, { cause: error });
      }
      // The user's JSON: the queue checks it against the kind's schema and names what is wrong.
      await runJobInForeground(context, kind, params as JobParams<typeof kind>, {
        human: (result) => context.output.line(JSON.stringify(result, null, 2)),
      });
    });

  jobs
    .command("retry")
    .description(
      "run a finished job again, in the foreground, with the same kind and parameters (a step of an experiment: with the steps it needs that did not succeed)",
    )
    .argument("<id>", "job id or a unique prefix of it")
    .action(async (id: string) => {
      // A job left running or queued by a process that is gone is recorded as interrupted first.
      await context.workbench().jobs.recoverInterrupted();
      const old = context.workbench().jobs.get(id);
      if (!isFinished(old.state))
        throw new Error(`job ${old.id} is ${old.state}; only a finished job can be retried`);
      if (old.stepKey !== null) {
        // Its parameters may be built from the steps it waits for: the experiment's graph reruns it.
        const outcome = await followStepRetry(context, old.id);
        const retried = outcome.steps.at(-1)!;
        const job = context.workbench().jobs.get(retried.jobId!);
        context.output.result(job, () => context.output.line(JSON.stringify(job.result, null, 2)));
        noteUnsucceededSteps(context, outcome);
        return;
      }
      if (!isJobKind(old.kind))
        throw new Error(`job ${old.id} has kind "${old.kind}", which this version cannot run`);
      // Parameters the queue validated when the job was first queued; it validates them again.
      await runJobInForeground(context, old.kind, old.params as JobParams<typeof old.kind>, {
        experimentId: old.experimentId,
        human: (result) => context.output.line(JSON.stringify(result, null, 2)),
      });
    });
}

function printJob(
  output: Output,
  job: Job,
  logs: readonly { at: string; level: string; message: string }[],
): void {
  output.fields([
    ["id", job.id],
    ["kind", `${job.kind} (${jobTitle(job)})`],
    ["state", job.state],
    ["progress", job.progress ? formatJobProgress(job) : "—"],
    ["params", JSON.stringify(job.params)],
    ["depends on", job.dependsOn ?? "—"],
    ["created", formatDateTime(job.createdAt)],
    ["started", formatDateTime(job.startedAt)],
    ["finished", formatDateTime(job.finishedAt)],
    ["took", took(job) || "—"],
    ...(job.error ? [["error", job.error] as const] : []),
    ...(job.errorDetail?.llamaReason ? [["llama.cpp", job.errorDetail.llamaReason] as const] : []),
    ...(job.errorDetail && job.errorDetail.remedies.length > 0
      ? [["to fix", job.errorDetail.remedies.map(remedyAsFlag).join(", or ")] as const]
      : []),
    ...(job.result !== null ? [["result", truncate(JSON.stringify(job.result), 2000)] as const] : []),
  ]);
  if (logs.length > 0) {
    output.line();
    output.line(`last ${logs.length} log line(s):`);
    for (const line of logs) output.line(`  ${line.at}  ${line.level.padEnd(5)}  ${line.message}`);
  }
}

function took(job: Job): string {
  if (!job.startedAt) return "";
  const end = job.finishedAt ? Date.parse(job.finishedAt) : Date.now();
  return formatDuration((end - Date.parse(job.startedAt)) / 1000);
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
