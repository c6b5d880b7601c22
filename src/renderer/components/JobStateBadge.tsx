// A job's state as a small coloured label.
import type { JobState } from "../../shared/domain/job.js";

const styles: Record<JobState, string> = {
  queued: "bg-zinc-100 text-zinc-700 ring-zinc-300",
  running: "bg-indigo-50 text-indigo-700 ring-indigo-200",
  succeeded: "bg-emerald-50 text-emerald-700 ring-emerald-200",
  failed: "bg-red-50 text-red-700 ring-red-200",
  cancelled: "bg-amber-50 text-amber-800 ring-amber-200",
  interrupted: "bg-amber-50 text-amber-800 ring-amber-200",
};

export function JobStateBadge({ state }: { state: JobState }) {
  return (
    <span
      className={`inline-flex items-center rounded-md px-1.5 py-0.5 text-xs font-medium ring-1 ring-inset ${styles[state]}`}
    >
      {state}
    </span>
  );
}
