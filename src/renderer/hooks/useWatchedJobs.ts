// Jobs a screen started and follows: each watched job is kept up to date from "jobs.updated".
import { useCallback, useEffect, useState } from "react";
import { isFinished, type Job } from "../../shared/domain/job.js";
import { useClient } from "../client/ClientContext.js";

export interface WatchedJobs {
  /** The latest state of a watched job, by id. */
  readonly get: (id: string | null | undefined) => Job | undefined;
  readonly watch: (job: Job) => void;
}

export function useWatchedJobs(): WatchedJobs {
  const client = useClient();
  const [jobs, setJobs] = useState<ReadonlyMap<string, Job>>(new Map());

  useEffect(
    () =>
      client.on("jobs.updated", (job) =>
        setJobs((previous) => {
          if (!previous.has(job.id)) return previous;
          const next = new Map(previous);
          next.set(job.id, job);
          return next;
        }),
      ),
    [client],
  );

  const watch = useCallback(
    (job: Job) => {
      setJobs((previous) => {
        const next = new Map(previous);
        // An event may already have brought a newer state than the call's answer.
        if (!next.has(job.id)) next.set(job.id, job);
        return next;
      });
      // The job may have finished between the call and the subscription: read it once more.
      void client
        .call("jobs.get", { id: job.id })
        .then((fresh) =>
          setJobs((previous) => {
            const known = previous.get(fresh.id);
            return known && isFinished(known.state) ? previous : new Map(previous).set(fresh.id, fresh);
          }),
        )
        .catch(() => undefined);
    },
    [client],
  );

  const get = useCallback((id: string | null | undefined) => (id ? jobs.get(id) : undefined), [jobs]);
  return { get, watch };
}
