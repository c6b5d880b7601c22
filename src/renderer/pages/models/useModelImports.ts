// Imports started from the Models screen (by path, picker or drop) and their live job state. Each
// starts as a "models.import" job; browser drops are uploaded first, which has its own progress.
import { useCallback, useMemo, useRef, useState } from "react";
import { isFinished, type Job } from "../../../shared/domain/job.js";
import { useClient } from "../../client/ClientContext.js";
import { useJobs } from "../../hooks/useJobs.js";

export interface ImportEntry {
  readonly key: string;
  readonly label: string;
  /** 0..1 while the file is still being uploaded; null otherwise. */
  readonly uploadFraction: number | null;
  readonly job: Job | null;
  /** Failure to start (upload or jobs.start), separate from the job's own error. */
  readonly startError: string | null;
}

interface Started {
  key: string;
  label: string;
  uploadFraction: number | null;
  jobId: string | null;
  startError: string | null;
}

export function useModelImports() {
  const client = useClient();
  const { jobs } = useJobs();
  const [started, setStarted] = useState<readonly Started[]>([]);
  const counter = useRef(0);

  const update = useCallback((key: string, patch: Partial<Started>) => {
    setStarted((all) => all.map((entry) => (entry.key === key ? { ...entry, ...patch } : entry)));
  }, []);

  const begin = useCallback(
    (label: string, uploading: boolean, start: (key: string) => Promise<Job>) => {
      const key = `import-${++counter.current}`;
      setStarted((all) => [
        { key, label, uploadFraction: uploading ? 0 : null, jobId: null, startError: null },
        ...all,
      ]);
      start(key).then(
        (job) => update(key, { jobId: job.id, uploadFraction: null }),
        (reason: unknown) =>
          update(key, {
            startError: reason instanceof Error ? reason.message : String(reason),
            uploadFraction: null,
          }),
      );
    },
    [update],
  );

  const importPath = useCallback(
    (path: string) =>
      begin(baseName(path), false, () =>
        client.call("jobs.start", { kind: "models.import", params: { path } }),
      ),
    [begin, client],
  );

  const importFile = useCallback(
    (file: File) =>
      begin(file.name, client.transport === "websocket", (key) =>
        client.importFile(file, (fraction) => update(key, { uploadFraction: fraction })),
      ),
    [begin, client, update],
  );

  const dismiss = useCallback(
    (key: string) => setStarted((all) => all.filter((entry) => entry.key !== key)),
    [],
  );

  const entries = useMemo<ImportEntry[]>(() => {
    const byId = new Map(jobs.map((job) => [job.id, job]));
    const mine = started.map((entry) => ({
      key: entry.key,
      label: entry.label,
      uploadFraction: entry.uploadFraction,
      startError: entry.startError,
      job: entry.jobId ? (byId.get(entry.jobId) ?? null) : null,
    }));
    // Imports started elsewhere (the CLI, another window) show while they run.
    const mineIds = new Set(started.map((entry) => entry.jobId));
    const others = jobs
      .filter((job) => job.kind === "models.import" && !isFinished(job.state) && !mineIds.has(job.id))
      .map((job) => ({
        key: job.id,
        label: importedPathOf(job) ?? job.id,
        uploadFraction: null,
        startError: null,
        job,
      }));
    return [...mine, ...others];
  }, [jobs, started]);

  return { entries, importPath, importFile, dismiss };
}

function importedPathOf(job: Job): string | null {
  const path = (job.params as { path?: unknown } | null)?.path;
  return typeof path === "string" ? baseName(path) : null;
}

function baseName(path: string): string {
  return path.split(/[/\\]/).pop() || path;
}
