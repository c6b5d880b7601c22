// Every job with live progress (jobs.list + "jobs.updated"), and Cancel / Retry; a training job
// (distill, train) also shows its loss curves, open while it runs.
import { useEffect, useState } from "react";
import { isFinished, type Job } from "../../../shared/domain/job.js";
import { jobRunDevice } from "../../../shared/domain/runDevice.js";
import { formatClockTime, formatDateTime, formatDuration, formatPercent } from "../../../shared/format.js";
import { Button } from "../../components/Button.js";
import { Card } from "../../components/Card.js";
import { ErrorDetails } from "../../components/ErrorDetails.js";
import { JobStateBadge } from "../../components/JobStateBadge.js";
import { Notice } from "../../components/Notice.js";
import { PageHeader } from "../../components/PageHeader.js";
import { ProgressBar } from "../../components/ProgressBar.js";
import { RunDeviceInfo } from "../../components/RunDeviceInfo.js";
import { useClient } from "../../client/ClientContext.js";
import { useCall } from "../../hooks/useCall.js";
import { useJobs } from "../../hooks/useJobs.js";
import { jobErrorWords } from "../../errorWords.js";
import { jobElapsedSeconds, jobSubject, jobTitle } from "../../jobDescription.js";
import { TrainingCurvesPanel, trainingJobKinds } from "./TrainingCurvesPanel.js";

export function JobsPage() {
  const client = useClient();
  const { jobs, error, loading } = useJobs();
  const [actionError, setActionError] = useState<string>();
  const [actionInfo, setActionInfo] = useState<string>();
  const active = jobs.filter((job) => !isFinished(job.state)).length;
  const now = useNow(active > 0 ? 1000 : null);

  const act = (method: "jobs.cancel" | "jobs.retry", job: Job) => {
    setActionError(undefined);
    setActionInfo(undefined);
    client
      .call(method, { id: job.id })
      .then((queued) => {
        // A step of an experiment is retried through its experiment, with what it needs.
        if (method === "jobs.retry" && queued.stepKey !== null)
          setActionInfo(
            `Retried as step ${queued.stepKey} of its experiment: the steps it needs that did not succeed run again first; Resume in History runs the rest.`,
          );
      })
      .catch((reason: unknown) =>
        setActionError(
          `${method === "jobs.cancel" ? "Cancel" : "Retry"} failed: ${String((reason as Error).message ?? reason)}`,
        ),
      );
  };

  return (
    <>
      <PageHeader
        title="Jobs"
        subtitle={
          loading && jobs.length === 0
            ? "Loading…"
            : `${jobs.length} job${jobs.length === 1 ? "" : "s"}, ${active} active`
        }
      />
      <div className="space-y-3">
        {error && <Notice tone="error">Could not list jobs: {error.message}</Notice>}
        {actionError && (
          <Notice tone="error" onDismiss={() => setActionError(undefined)}>
            {actionError}
          </Notice>
        )}
        {actionInfo && (
          <Notice tone="success" onDismiss={() => setActionInfo(undefined)}>
            {actionInfo}
          </Notice>
        )}
        <Card>
          {jobs.length === 0 ? (
            <p className="px-4 py-10 text-center text-sm text-zinc-500">
              {loading ? "Loading…" : "No jobs yet. Importing a model starts one."}
            </p>
          ) : (
            <table className="w-full text-sm">
              <thead className="border-b border-zinc-200 text-left text-xs font-medium text-zinc-500">
                <tr>
                  <th className="px-4 py-2 font-medium">Job</th>
                  <th className="px-3 py-2 font-medium">State</th>
                  <th className="w-[32%] px-3 py-2 font-medium">Progress</th>
                  <th className="px-3 py-2 text-right font-medium">ETA</th>
                  <th className="px-3 py-2 text-right font-medium">Elapsed</th>
                  <th className="px-3 py-2 font-medium">Created</th>
                  <th className="px-4 py-2" />
                </tr>
              </thead>
              <tbody className="divide-y divide-zinc-100">
                {jobs.map((job) => (
                  <JobRow
                    key={job.id}
                    job={job}
                    now={now}
                    onCancel={() => act("jobs.cancel", job)}
                    onRetry={() => act("jobs.retry", job)}
                  />
                ))}
              </tbody>
            </table>
          )}
        </Card>
      </div>
    </>
  );
}

function JobRow({
  job,
  now,
  onCancel,
  onRetry,
}: {
  job: Job;
  now: number;
  onCancel: () => void;
  onRetry: () => void;
}) {
  const [showLogs, setShowLogs] = useState(false);
  const trains = trainingJobKinds.has(job.kind);
  const [showCurves, setShowCurves] = useState(job.state === "running");
  // A training job that starts while the screen is open shows its curves without a click.
  useEffect(() => {
    if (job.state === "running") setShowCurves(true);
  }, [job.state]);
  const finished = isFinished(job.state);
  const fraction = job.state === "succeeded" ? 1 : (job.progress?.fraction ?? null);
  const subject = jobSubject(job);
  const device = job.state === "succeeded" ? jobRunDevice(job) : null;
  return (
    <>
      <tr
        className="align-top"
        data-testid="job-row"
        data-state={job.state}
        data-kind={job.kind}
        data-job-id={job.id}
      >
        <td className="px-4 py-2.5">
          <div className="font-medium text-zinc-800">{jobTitle(job)}</div>
          <div className="max-w-xs truncate text-xs text-zinc-500" title={subject ?? job.id}>
            {subject ?? job.id}
          </div>
        </td>
        <td className="px-3 py-2.5">
          <JobStateBadge state={job.state} />
        </td>
        <td className="px-3 py-2.5">
          {finished && job.state !== "succeeded" ? (
            <ErrorDetails
              words={jobErrorWords(job) ?? { message: job.state, llamaReason: null, remedies: [] }}
              testId="job-error"
            />
          ) : (
            <>
              <div className="flex items-center gap-2">
                <ProgressBar
                  fraction={job.state === "queued" ? 0 : fraction}
                  done={job.state === "succeeded"}
                />
                <span className="w-12 shrink-0 text-right text-xs tabular-nums text-zinc-600">
                  {fraction === null ? "" : formatPercent(fraction, 0)}
                </span>
              </div>
              <div className="mt-1 truncate text-xs text-zinc-500">
                {job.state === "queued" ? "Waiting for a worker" : (job.progress?.step ?? "")}
              </div>
              {device && (
                <div className="mt-1 text-xs">
                  <span className="text-zinc-500">Ran on: </span>
                  <RunDeviceInfo device={device} testId="job-device" />
                </div>
              )}
            </>
          )}
        </td>
        <td className="px-3 py-2.5 text-right tabular-nums text-zinc-700">
          {finished ? "—" : formatDuration(job.progress?.etaSeconds)}
        </td>
        <td className="px-3 py-2.5 text-right tabular-nums text-zinc-700">
          {formatDuration(jobElapsedSeconds(job, now))}
        </td>
        <td className="px-3 py-2.5 whitespace-nowrap tabular-nums text-zinc-600">
          {formatDateTime(job.createdAt)}
        </td>
        <td className="px-4 py-2.5">
          <div className="flex justify-end gap-2">
            {trains && (
              <Button onClick={() => setShowCurves((shown) => !shown)} aria-expanded={showCurves}>
                Curves
              </Button>
            )}
            <Button onClick={() => setShowLogs((shown) => !shown)} aria-expanded={showLogs}>
              Logs
            </Button>
            {!finished && <Button onClick={onCancel}>Cancel</Button>}
            {(job.state === "failed" || job.state === "cancelled" || job.state === "interrupted") && (
              <Button onClick={onRetry}>Retry</Button>
            )}
          </div>
        </td>
      </tr>
      {trains && showCurves && (
        <tr>
          <td colSpan={7} className="px-4 py-2" data-testid="job-curves">
            <TrainingCurvesPanel job={job} />
          </td>
        </tr>
      )}
      {showLogs && (
        <tr>
          <td colSpan={7} className="bg-zinc-50 px-4 py-2" data-testid="job-logs">
            <JobLogs job={job} />
          </td>
        </tr>
      )}
    </>
  );
}

/** The current time, re-rendering every `intervalMs` (null: frozen), so running jobs' elapsed time moves. */
function useNow(intervalMs: number | null): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (intervalMs === null) return;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return intervalMs === null ? Date.now() : now;
}

/** The job's last log lines, refreshed whenever the job changes. */
function JobLogs({ job }: { job: Job }) {
  const logs = useCall("jobs.logs", { id: job.id, tail: 200 });
  const { reload } = logs;
  const revision = `${job.state}:${job.progress?.step ?? ""}`;
  useEffect(() => reload(), [revision, reload]);
  if (logs.error) return <p className="text-xs text-red-700">Could not read the log: {logs.error.message}</p>;
  const lines = logs.data ?? [];
  if (lines.length === 0)
    return <p className="text-xs text-zinc-500">{logs.loading ? "Loading…" : "No log lines."}</p>;
  return (
    <pre className="max-h-64 overflow-auto font-mono text-xs leading-relaxed text-zinc-700">
      {lines.map((line) => (
        <div
          key={`${line.at}-${line.message}`}
          className={line.level === "error" ? "text-red-700" : line.level === "warn" ? "text-amber-700" : ""}
        >
          <span className="text-zinc-400">{formatClockTime(line.at)}</span> {line.message}
        </div>
      ))}
    </pre>
  );
}
