// A minimal Node client for the server's WebSocket protocol, for tests: sends call frames, collects
// result and event frames, and reports refused upgrades with their HTTP status.
import WebSocket from "ws";
import type { EventFrame, ResultFrame } from "../../src/shared/protocol/wire.js";

export interface ProtocolConnection {
  call(method: string, params?: unknown): Promise<ResultFrame>;
  /** Sends raw text, for malformed-frame tests; resolves with the next result frame. */
  sendRaw(text: string): Promise<ResultFrame>;
  readonly events: EventFrame[];
  /** Resolves with the first event frame (seen or future) that matches. */
  waitForEvent(match: (frame: EventFrame) => boolean, timeoutMs?: number): Promise<EventFrame>;
  close(): Promise<void>;
  /** Resolves with the close code when the connection closes (by either side). */
  closed(): Promise<number>;
}

/** Rejects with `Error("HTTP <status>")` when the server refuses the upgrade. */
export function connectProtocol(
  url: string,
  headers: Record<string, string> = {},
): Promise<ProtocolConnection> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    const pending = new Map<number, (frame: ResultFrame) => void>();
    const rawWaiters: ((frame: ResultFrame) => void)[] = [];
    const events: EventFrame[] = [];
    const eventWaiters = new Set<{
      match: (frame: EventFrame) => boolean;
      resolve: (frame: EventFrame) => void;
    }>();
    let nextId = 1;
    const closeCode = new Promise<number>((done) => ws.once("close", (code) => done(code)));

    ws.once("unexpected-response", (_req, res) => {
      reject(new Error(`HTTP ${res.statusCode}`));
      res.resume();
      ws.terminate();
    });
    ws.once("error", reject);
    ws.on("message", (data) => {
      const frame = JSON.parse(String(data)) as ResultFrame | EventFrame;
      if (frame.type === "event") {
        events.push(frame);
        for (const waiter of eventWaiters) {
          if (waiter.match(frame)) {
            eventWaiters.delete(waiter);
            waiter.resolve(frame);
          }
        }
        return;
      }
      const byId = pending.get(frame.id);
      if (byId) {
        pending.delete(frame.id);
        byId(frame);
      } else rawWaiters.shift()?.(frame);
    });
    ws.once("open", () => {
      ws.off("error", reject);
      resolve({
        events,
        call(method, params = {}) {
          const id = nextId++;
          return new Promise((done) => {
            pending.set(id, done);
            ws.send(JSON.stringify({ type: "call", id, method, params }));
          });
        },
        sendRaw(text) {
          return new Promise((done) => {
            rawWaiters.push(done);
            ws.send(text);
          });
        },
        waitForEvent(match, timeoutMs = 30_000) {
          const seen = events.find(match);
          if (seen) return Promise.resolve(seen);
          return new Promise((done, fail) => {
            const waiter = {
              match,
              resolve: (frame: EventFrame) => {
                clearTimeout(timer);
                done(frame);
              },
            };
            const timer = setTimeout(() => {
              eventWaiters.delete(waiter);
              fail(
                new Error(
                  `no matching event within ${timeoutMs} ms; saw: ${events.map((e) => e.topic).join(", ") || "none"}`,
                ),
              );
            }, timeoutMs);
            eventWaiters.add(waiter);
          });
        },
        closed: () => closeCode,
        close() {
          return new Promise((done) => {
            if (ws.readyState === WebSocket.CLOSED) return done();
            ws.once("close", () => done());
            ws.close();
          });
        },
      });
    });
  });
}
