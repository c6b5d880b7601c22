// The Electron transport: calls and events go through the `window.cwb` bridge from the preload.
import type { Job } from "../../shared/domain/job.js";
import type { OfferedText } from "../../shared/domain/offeredText.js";
import type { CallInput, CallOutput, EventPayload } from "../../shared/protocol/define.js";
import type { CwbBridge } from "../../shared/protocol/bridge.js";
import type { CallName, Calls, EventTopic, Events } from "../../shared/protocol/endpoints.js";
import { CallError } from "./CallError.js";
import type { ConnectionStatus, RendererClient } from "./RendererClient.js";

export class IpcClient implements RendererClient {
  readonly transport = "ipc" as const;
  // IPC to our own main process cannot drop, so there is nothing to reconnect.
  readonly status: ConnectionStatus = "connected";
  readonly #bridge: CwbBridge;

  constructor(bridge: CwbBridge) {
    this.#bridge = bridge;
  }

  async call<M extends CallName>(method: M, params: CallInput<Calls[M]>): Promise<CallOutput<Calls[M]>> {
    const outcome = await this.#bridge.call(method, params);
    if (!outcome.ok) throw new CallError(method, outcome.error);
    return outcome.value as CallOutput<Calls[M]>;
  }

  on<T extends EventTopic>(topic: T, listener: (payload: EventPayload<Events[T]>) => void): () => void {
    return this.#bridge.on((eventTopic, payload) => {
      if (eventTopic === topic) listener(payload as EventPayload<Events[T]>);
    });
  }

  onStatus(): () => void {
    return () => undefined;
  }

  async importFile(file: File): Promise<Job> {
    const path = this.#bridge.getPathForFile(file);
    if (path === "") throw new Error(`${file.name} has no path on disk; save it to a file first`);
    return this.call("jobs.start", { kind: "models.import", params: { path } });
  }

  async addTextFile(file: File, purpose: "calibration" | "evaluation"): Promise<OfferedText> {
    const path = this.#bridge.getPathForFile(file);
    if (path === "") throw new Error(`${file.name} has no path on disk; save it to a file first`);
    return this.call("texts.add", { path, purpose });
  }
}
