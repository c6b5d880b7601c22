// One job's live state in a line: progress bar, percentage, current step and ETA, or the failure
// reason in words. For screens that start a job and wait for it in place.
import { isFinished, type Job } from "../../shared/domain/job.js";
import { formatDuration, formatPercent } from "../../shared/format.js";
import { jobErrorWords } from "../errorWords.js";
import { ErrorDetails } from "./ErrorDetails.js";
import { JobStateBadge } from "./JobStateBadge.js";
import { ProgressBar } from "./ProgressBar.js";

export function JobStatus({ job, testId }: { job: Job; testId?: string }) {
  const fraction =
    job.state === "succeeded" ? 1 : job.state === "queued" ? 0 : (job.progress?.fraction ?? null);
  const failed = isFinished(job.state) && job.state !== "succeeded";
  return (
    <div className="space-y-1" data-testid={testId} data-state={job.state}>
      <div className="flex items-center gap-2">
        <JobStateBadge state={job.state} />
        <ProgressBar fraction={fraction} done={job.state === "succeeded"} />
        <span className="w-10 shrink-0 text-right text-xs tabular-nums text-zinc-600">
          {fraction === null ? "" : formatPercent(fraction, 0)}
        </span>
      </div>
      {failed ? (
        <ErrorDetails
          words={
            jobErrorWords(job) ?? { message: `The job was ${job.state}.`, llamaReason: null, remedies: [] }
          }
        />
      ) : (
        !isFinished(job.state) && (
          <p className="truncate text-xs text-zinc-500">
            {job.state === "queued" ? "Waiting for a worker" : (job.progress?.step ?? "Starting")}
            {job.progress?.etaSeconds != null && ` · about ${formatDuration(job.progress.etaSeconds)} left`}
          </p>
        )
      )}
    </div>
  );
}
