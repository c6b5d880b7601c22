// Fetches one call's result and keeps it fresh: again when `deps` change, when any of the given
// events arrives, and when the connection comes back.
import { useCallback, useEffect, useRef, useState } from "react";
import type { CallInput, CallOutput } from "../../shared/protocol/define.js";
import type { CallName, Calls, EventTopic } from "../../shared/protocol/endpoints.js";
import { useClient } from "../client/ClientContext.js";

export interface CallState<T> {
  readonly data: T | undefined;
  readonly error: Error | undefined;
  readonly loading: boolean;
  readonly reload: () => void;
}

export function useCall<M extends CallName>(
  method: M,
  params: CallInput<Calls[M]> | null,
  refreshOn: readonly EventTopic[] = [],
): CallState<CallOutput<Calls[M]>> {
  const client = useClient();
  const [data, setData] = useState<CallOutput<Calls[M]>>();
  const [error, setError] = useState<Error>();
  const [loading, setLoading] = useState(params !== null);
  const [generation, setGeneration] = useState(0);
  const key = params === null ? null : JSON.stringify(params);
  const latest = useRef(0);
  const reload = useCallback(() => setGeneration((n) => n + 1), []);

  useEffect(() => {
    if (key === null) return;
    const request = ++latest.current;
    setLoading(true);
    client
      .call(method, JSON.parse(key) as CallInput<Calls[M]>)
      .then((value) => {
        if (request !== latest.current) return;
        setData(value);
        setError(undefined);
      })
      .catch((reason: unknown) => {
        if (request !== latest.current) return;
        setError(reason instanceof Error ? reason : new Error(String(reason)));
      })
      .finally(() => {
        if (request === latest.current) setLoading(false);
      });
  }, [client, method, key, generation]);

  const topics = refreshOn.join(",");
  useEffect(() => {
    const offs =
      topics === "" ? [] : topics.split(",").map((topic) => client.on(topic as EventTopic, reload));
    offs.push(client.onStatus((status) => status === "connected" && reload()));
    return () => offs.forEach((off) => off());
  }, [client, topics, reload]);

  return { data, error, loading, reload };
}
