// The protocol over WebSocket: each text message is one call frame, answered by one result frame;
// every EventBus event is pushed to every open socket. Upgrades are authorised by the caller-supplied
// check before any socket is created.
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer, type RawData, type WebSocket } from "ws";
import type { Dispatch } from "../../core/rpc/dispatcher.js";
import type { EventBus } from "../../core/rpc/eventBus.js";
import type { EventFrame, ResultFrame } from "../../shared/protocol/wire.js";

interface Connection {
  inFlight: number;
}

/** Largest call frame accepted; calls carry ids and small parameters, never file contents. */
const maxFrameBytes = 1024 * 1024;
/** A client that lets this much pile up unread is dropped instead of growing our memory. */
const maxBufferedBytes = 16 * 1024 * 1024;
const heartbeatMs = 30_000;
/**
 * Calls one socket may have running at once. A client that sends more (a flood, a runaway loop) gets
 * BUSY answers for the excess at once instead of queueing unbounded work that would starve others.
 */
export const maxCallsInFlight = 64;

export type UpgradeVerdict = { ok: true } | { ok: false; status: 401 | 403 | 404; reason: string };

export interface WebSocketGatewayOptions {
  dispatch: Dispatch;
  events: EventBus;
  authorize(req: IncomingMessage): UpgradeVerdict;
}

export class WebSocketGateway {
  readonly #server = new WebSocketServer({
    noServer: true,
    maxPayload: maxFrameBytes,
    perMessageDeflate: false,
  });
  readonly #alive = new WeakSet<WebSocket>();
  readonly #options: WebSocketGatewayOptions;
  readonly #unsubscribe: () => void;
  readonly #heartbeat: NodeJS.Timeout;

  constructor(options: WebSocketGatewayOptions) {
    this.#options = options;
    this.#unsubscribe = options.events.subscribe((topic, payload) =>
      this.#broadcast({ type: "event", topic, payload }),
    );
    this.#heartbeat = setInterval(() => this.#checkAlive(), heartbeatMs);
    this.#heartbeat.unref();
  }

  get clientCount(): number {
    return this.#server.clients.size;
  }

  /** Wire to http.Server's "upgrade" event. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const verdict = this.#options.authorize(req);
    if (!verdict.ok) {
      refuseUpgrade(socket, verdict.status, verdict.reason);
      return;
    }
    this.#server.handleUpgrade(req, socket, head, (ws) => this.#accept(ws));
  }

  /** Closes every socket (1001 "going away") and stops listening to events. */
  close(): void {
    clearInterval(this.#heartbeat);
    this.#unsubscribe();
    for (const ws of this.#server.clients) ws.close(1001, "Server shutting down");
    this.#server.close();
  }

  #accept(ws: WebSocket): void {
    this.#alive.add(ws);
    ws.on("pong", () => this.#alive.add(ws));
    ws.on("error", () => ws.terminate());
    const connection: Connection = { inFlight: 0 };
    ws.on("message", (data, isBinary) => void this.#onMessage(ws, connection, data, isBinary));
  }

  async #onMessage(ws: WebSocket, connection: Connection, data: RawData, isBinary: boolean): Promise<void> {
    if (isBinary) {
      ws.close(1003, "Text frames only");
      return;
    }
    let frame: unknown;
    try {
      frame = JSON.parse(rawToString(data));
    } catch {
      frame = null; // the dispatcher answers a malformed frame with a BAD_FRAME result
    }
    let result: ResultFrame;
    if (connection.inFlight >= maxCallsInFlight) result = busyResult(frame);
    else {
      connection.inFlight++;
      try {
        result = await this.#options.dispatch(frame);
      } finally {
        connection.inFlight--;
      }
    }
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(result));
  }

  #broadcast(frame: EventFrame): void {
    if (this.#server.clients.size === 0) return;
    const text = JSON.stringify(frame);
    for (const ws of this.#server.clients) {
      if (ws.readyState !== ws.OPEN) continue;
      if (ws.bufferedAmount > maxBufferedBytes) {
        ws.terminate();
        continue;
      }
      ws.send(text);
    }
  }

  #checkAlive(): void {
    for (const ws of this.#server.clients) {
      if (!this.#alive.has(ws)) {
        ws.terminate();
        continue;
      }
      this.#alive.delete(ws);
      ws.ping();
    }
  }
}

function busyResult(frame: unknown): ResultFrame {
  const id = (frame as { id?: unknown } | null)?.id;
  return {
    type: "result",
    id: typeof id === "number" && Number.isInteger(id) ? id : -1,
    ok: false,
    error: {
      name: "ProtocolError",
      message: `More than ${maxCallsInFlight} calls at once on one connection; wait for answers, then retry`,
      code: "BUSY",
    },
  };
}

function rawToString(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString("utf8");
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString("utf8");
  return data.toString("utf8");
}

function refuseUpgrade(socket: Duplex, status: 401 | 403 | 404, reason: string): void {
  const text = { 401: "Unauthorized", 403: "Forbidden", 404: "Not Found" }[status];
  const body = `${reason}\n`;
  socket.end(
    `HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}
