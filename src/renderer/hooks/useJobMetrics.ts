// A training job's series, kept live: the "jobs.metrics" events are listened to first, the history
// is fetched once (again on reconnect and when the job's state changes), and both are merged by step,
// so a point that arrives both ways, or an event that beats the fetch, is counted once.
import { useEffect, useState } from "react";
import {
  appendTrainingMetrics,
  emptyTrainingMetrics,
  type TrainingMetrics,
} from "../../shared/domain/trainingMetrics.js";
import { useClient } from "../client/ClientContext.js";

export interface JobMetricsState {
  readonly series: TrainingMetrics;
  readonly error: Error | undefined;
}

/** `revision` changes when the job does (its state): the stored series is read again then. */
export function useJobMetrics(jobId: string, revision: string): JobMetricsState {
  const client = useClient();
  const [series, setSeries] = useState<TrainingMetrics>(emptyTrainingMetrics);
  const [error, setError] = useState<Error>();
  const [connection, setConnection] = useState(0);

  useEffect(() => setSeries(emptyTrainingMetrics), [jobId]);

  useEffect(
    () =>
      client.on("jobs.metrics", (update) => {
        if (update.jobId === jobId) setSeries((have) => appendTrainingMetrics(have, update));
      }),
    [client, jobId],
  );
  useEffect(
    () => client.onStatus((status) => status === "connected" && setConnection((n) => n + 1)),
    [client],
  );

  useEffect(() => {
    let current = true;
    client
      .call("jobs.metrics", { id: jobId })
      .then((stored) => {
        if (!current) return;
        setSeries((have) => appendTrainingMetrics(stored, have));
        setError(undefined);
      })
      .catch((reason: unknown) => current && setError(reason as Error));
    return () => {
      current = false;
    };
  }, [client, jobId, revision, connection]);

  return { series, error };
}
