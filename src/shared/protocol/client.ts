// The one client interface the renderer (and tests) use; it cannot tell which transport carries it.
import type { CallInput, CallOutput, EventPayload } from "./define.js";
import type { CallName, Calls, EventTopic, Events } from "./endpoints.js";

export interface WorkbenchClient {
  call<M extends CallName>(method: M, params: CallInput<Calls[M]>): Promise<CallOutput<Calls[M]>>;
  /** Returns an unsubscribe function. */
  on<T extends EventTopic>(topic: T, listener: (payload: EventPayload<Events[T]>) => void): () => void;
  readonly transport: "ipc" | "websocket";
}
