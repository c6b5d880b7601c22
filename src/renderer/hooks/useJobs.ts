// The job list, kept live: one jobs.list, then every "jobs.updated" event merged in by id.
import { useEffect, useMemo, useState } from "react";
import type { Job } from "../../shared/domain/job.js";
import { useClient } from "../client/ClientContext.js";
import { useCall } from "./useCall.js";

export interface JobsState {
  /** Newest first. */
  readonly jobs: readonly Job[];
  readonly error: Error | undefined;
  readonly loading: boolean;
}

export function useJobs(limit = 200): JobsState {
  const client = useClient();
  const listed = useCall("jobs.list", { limit });
  const [updates, setUpdates] = useState<ReadonlyMap<string, Job>>(new Map());

  // A fresh list supersedes what the events told us before it.
  useEffect(() => setUpdates(new Map()), [listed.data]);

  useEffect(
    () =>
      client.on("jobs.updated", (job) =>
        setUpdates((previous) => {
          const next = new Map(previous);
          next.set(job.id, job);
          return next;
        }),
      ),
    [client],
  );

  const jobs = useMemo(() => {
    const byId = new Map<string, Job>();
    for (const job of listed.data ?? []) byId.set(job.id, job);
    for (const [id, job] of updates) byId.set(id, job);
    return [...byId.values()].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }, [listed.data, updates]);

  return { jobs, error: listed.error, loading: listed.loading };
}
