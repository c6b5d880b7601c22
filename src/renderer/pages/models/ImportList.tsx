// Progress of the imports started from this screen, each until dismissed.
import { isFinished, type Job } from "../../../shared/domain/job.js";
import { formatBytes, formatDuration, formatPercent } from "../../../shared/format.js";
import { ProgressBar } from "../../components/ProgressBar.js";
import { errorText, jobErrorWords } from "../../errorWords.js";
import { routeHref } from "../../routing/useHashRoute.js";
import type { ImportEntry } from "./useModelImports.js";

interface ImportResult {
  model?: { id?: string; sizeBytes?: number; metadata?: { name?: string | null; architecture?: string } };
  alreadyPresent?: boolean;
}

export function ImportList({
  entries,
  onDismiss,
}: {
  entries: readonly ImportEntry[];
  onDismiss: (key: string) => void;
}) {
  if (entries.length === 0) return null;
  return (
    <ul
      className="divide-y divide-zinc-100 rounded-lg border border-zinc-200 bg-white shadow-xs"
      aria-label="Imports"
    >
      {entries.map((entry) => (
        <ImportRow key={entry.key} entry={entry} onDismiss={() => onDismiss(entry.key)} />
      ))}
    </ul>
  );
}

function importResultOf(job: Job | null): ImportResult | null {
  const result: unknown = job?.result;
  return typeof result === "object" && result !== null ? result : null;
}

function ImportRow({ entry, onDismiss }: { entry: ImportEntry; onDismiss: () => void }) {
  const { job } = entry;
  const result = importResultOf(job);
  const done = entry.startError !== null || (job !== null && isFinished(job.state));
  let status: string;
  let tone = "text-zinc-500";
  let fraction: number | null = null;
  if (entry.startError !== null) {
    status = entry.startError;
    tone = "text-red-700";
  } else if (entry.uploadFraction !== null) {
    status = `Uploading to the server… ${formatPercent(entry.uploadFraction, 0)}`;
    fraction = entry.uploadFraction;
  } else if (job === null) {
    status = "Starting…";
  } else if (job.state === "succeeded") {
    const what = [
      result?.model?.metadata?.name,
      result?.model?.metadata?.architecture,
      formatBytes(result?.model?.sizeBytes),
    ]
      .filter(Boolean)
      .join(" · ");
    status = `${result?.alreadyPresent ? "✓ Already in the library" : "✓ Imported"}${what ? ` — ${what}` : ""}`;
    tone = "text-emerald-700";
  } else if (job.state === "queued") {
    status = "Queued";
    fraction = 0;
  } else if (job.state === "running") {
    const eta = job.progress?.etaSeconds;
    status = `${job.progress?.step || "Reading header"}${eta != null ? ` · ${formatDuration(eta)} left` : ""}`;
    fraction = job.progress?.fraction ?? null;
  } else {
    const words = jobErrorWords(job);
    status = words ? errorText(words) : `Import ${job.state}`;
    tone = "text-red-700";
  }
  return (
    <li
      className="flex items-center gap-4 px-4 py-2.5"
      data-testid="import-row"
      data-state={entry.startError ? "failed" : (job?.state ?? "starting")}
    >
      <div className="w-64 min-w-0 shrink-0">
        <div className="truncate text-sm font-medium text-zinc-800" title={entry.label}>
          {entry.label}
        </div>
      </div>
      <div className="min-w-0 flex-1">
        {!done && <ProgressBar fraction={fraction} className="mb-1" />}
        <div className={`truncate text-xs ${tone}`} title={status}>
          {status}
        </div>
      </div>
      <div className="flex shrink-0 items-center gap-3 text-xs">
        {job?.state === "succeeded" && result?.model?.id && (
          <a
            className="font-medium text-indigo-600 hover:text-indigo-500"
            href={routeHref("models", result.model.id)}
          >
            Open
          </a>
        )}
        {done && (
          <button type="button" onClick={onDismiss} className="text-zinc-500 hover:text-zinc-800">
            Dismiss
          </button>
        )}
      </div>
    </li>
  );
}
