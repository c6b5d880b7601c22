// The browser transport for `cwb serve`: one WebSocket to /ws carrying the wire frames, reconnected
// with backoff when it drops. Calls made while disconnected wait for the next connection; calls in
// flight when it drops fail (the server may or may not have run them, so they are not replayed).
import type { Job } from "../../shared/domain/job.js";
import type { OfferedText } from "../../shared/domain/offeredText.js";
import type { CallInput, CallOutput, EventPayload } from "../../shared/protocol/define.js";
import type { CallName, Calls, EventTopic, Events } from "../../shared/protocol/endpoints.js";
import { serverFrame, type CallFrame } from "../../shared/protocol/wire.js";
import { CallError } from "./CallError.js";
import type { ConnectionStatus, RendererClient } from "./RendererClient.js";

interface Pending {
  readonly method: string;
  resolve(value: unknown): void;
  reject(error: Error): void;
}

const minBackoffMs = 500;
const maxBackoffMs = 5000;

export class WebSocketClient implements RendererClient {
  readonly transport = "websocket" as const;
  readonly #origin: string;
  readonly #token: string;
  readonly #pending = new Map<number, Pending>();
  readonly #queued: CallFrame[] = [];
  readonly #listeners = new Map<string, Set<(payload: unknown) => void>>();
  readonly #statusListeners = new Set<(status: ConnectionStatus) => void>();
  #socket: WebSocket | null = null;
  #status: ConnectionStatus = "connecting";
  #nextId = 1;
  #backoffMs = minBackoffMs;

  /** `origin` is the server's http origin, e.g. "http://127.0.0.1:5123". */
  constructor(origin: string, token: string) {
    this.#origin = origin;
    this.#token = token;
    this.#connect();
  }

  get status(): ConnectionStatus {
    return this.#status;
  }

  call<M extends CallName>(method: M, params: CallInput<Calls[M]>): Promise<CallOutput<Calls[M]>> {
    return new Promise((resolve, reject) => {
      const id = this.#nextId++;
      this.#pending.set(id, { method, resolve, reject });
      const frame: CallFrame = { type: "call", id, method, params };
      if (this.#socket?.readyState === WebSocket.OPEN) this.#socket.send(JSON.stringify(frame));
      else if (this.#status === "unauthorized")
        this.#fail(id, new Error("Not authorised: open the URL that `cwb serve` printed"));
      else this.#queued.push(frame);
    });
  }

  on<T extends EventTopic>(topic: T, listener: (payload: EventPayload<Events[T]>) => void): () => void {
    let set = this.#listeners.get(topic);
    if (!set) this.#listeners.set(topic, (set = new Set()));
    const untyped = listener as (payload: unknown) => void;
    set.add(untyped);
    return () => set.delete(untyped);
  }

  onStatus(listener: (status: ConnectionStatus) => void): () => void {
    this.#statusListeners.add(listener);
    return () => this.#statusListeners.delete(listener);
  }

  /** Streams the file to POST /api/upload (XHR, for upload progress); the server starts the import. */
  importFile(file: File, onUploadProgress?: (fraction: number) => void): Promise<Job> {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open("POST", `${this.#origin}/api/upload?name=${encodeURIComponent(file.name)}`);
      xhr.setRequestHeader("Authorization", `Bearer ${this.#token}`);
      xhr.setRequestHeader("Content-Type", "application/octet-stream");
      xhr.responseType = "json";
      xhr.upload.onprogress = (event) => {
        if (event.lengthComputable && event.total > 0) onUploadProgress?.(event.loaded / event.total);
      };
      xhr.onerror = () => reject(new Error(`Upload of ${file.name} failed: connection error`));
      xhr.onload = () => {
        const body = xhr.response as { job?: Job; error?: string } | null;
        if (xhr.status === 200 && body?.job) resolve(body.job);
        else reject(new Error(body?.error ?? `Upload of ${file.name} failed (HTTP ${xhr.status})`));
      };
      xhr.send(file);
    });
  }

  /** Sends the text's bytes to POST /api/texts; the server checks and stores them as a text set. */
  async addTextFile(file: File, purpose: "calibration" | "evaluation"): Promise<OfferedText> {
    const query = `name=${encodeURIComponent(file.name)}&purpose=${purpose}`;
    const response = await fetch(`${this.#origin}/api/texts?${query}`, {
      method: "POST",
      headers: { Authorization: `Bearer ${this.#token}`, "Content-Type": "application/octet-stream" },
      body: file,
    });
    const body = (await response.json().catch(() => null)) as (OfferedText & { error?: string }) | null;
    if (response.ok && body?.sha256) return body;
    throw new Error(body?.error ?? `Upload of ${file.name} failed (HTTP ${response.status})`);
  }

  #connect(): void {
    const url = `${this.#origin.replace(/^http/, "ws")}/ws?token=${encodeURIComponent(this.#token)}`;
    const socket = new WebSocket(url);
    this.#socket = socket;
    socket.onopen = () => {
      this.#backoffMs = minBackoffMs;
      this.#setStatus("connected");
      for (const frame of this.#queued.splice(0)) socket.send(JSON.stringify(frame));
    };
    socket.onmessage = (message) => this.#onFrame(message.data);
    socket.onclose = () => {
      if (this.#socket !== socket) return;
      this.#socket = null;
      for (const id of [...this.#pending.keys()]) {
        if (!this.#queued.some((frame) => frame.id === id))
          this.#fail(id, new Error("Connection to the workbench server lost"));
      }
      void this.#retryOrGiveUp();
    };
  }

  /** A browser cannot see why an upgrade failed; ask the token-checked health endpoint. */
  async #retryOrGiveUp(): Promise<void> {
    try {
      const response = await fetch(`${this.#origin}/api/health`, {
        headers: { Authorization: `Bearer ${this.#token}` },
      });
      if (response.status === 401) {
        this.#setStatus("unauthorized");
        for (const frame of this.#queued.splice(0))
          this.#fail(frame.id, new Error("Not authorised: open the URL that `cwb serve` printed"));
        return;
      }
    } catch {
      // Server down: keep retrying below.
    }
    this.#setStatus("disconnected");
    setTimeout(() => this.#connect(), this.#backoffMs);
    this.#backoffMs = Math.min(this.#backoffMs * 2, maxBackoffMs);
  }

  #onFrame(data: unknown): void {
    if (typeof data !== "string") return;
    let parsed;
    try {
      parsed = serverFrame.safeParse(JSON.parse(data));
    } catch {
      return;
    }
    if (!parsed.success) return;
    const frame = parsed.data;
    if (frame.type === "event") {
      for (const listener of this.#listeners.get(frame.topic) ?? []) listener(frame.payload);
      return;
    }
    const pending = this.#pending.get(frame.id);
    if (!pending) return;
    this.#pending.delete(frame.id);
    if (frame.ok) pending.resolve(frame.value);
    else pending.reject(new CallError(pending.method, frame.error));
  }

  #fail(id: number, error: Error): void {
    const pending = this.#pending.get(id);
    this.#pending.delete(id);
    pending?.reject(error);
  }

  #setStatus(status: ConnectionStatus): void {
    if (status === this.#status) return;
    this.#status = status;
    for (const listener of this.#statusListeners) listener(status);
  }
}
