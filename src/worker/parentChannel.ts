// The worker's line to the job queue. Under Node's child_process.fork that is process.send and
// "message" events; under Electron's utilityProcess.fork it is process.parentPort (messages arrive
// wrapped as {data}). Electron is not imported: its object is recognised by shape.
import type { WorkerMessage } from "../core/jobs/workerMessages.js";

export interface ParentChannel {
  /** Resolves once the message is handed to the OS (so exiting right after does not lose it). */
  send(message: WorkerMessage): Promise<void>;
  onMessage(listener: (message: unknown) => void): void;
  /** The parent went away; only child_process tells us. */
  onDisconnect(listener: () => void): void;
}

interface ElectronParentPort {
  postMessage(message: unknown): void;
  on(event: "message", listener: (event: { data: unknown }) => void): void;
}

export function connectToParent(): ParentChannel | null {
  const parentPort = (process as { parentPort?: ElectronParentPort }).parentPort;
  if (parentPort) {
    return {
      send: (message) => {
        parentPort.postMessage(message);
        return Promise.resolve();
      },
      onMessage: (listener) => parentPort.on("message", (event) => listener(event.data)),
      onDisconnect: () => undefined,
    };
  }
  if (!process.send) return null;
  return {
    send: (message) =>
      new Promise((resolve) => {
        if (!process.send || !process.connected) return resolve();
        process.send(message, undefined, {}, () => resolve());
      }),
    onMessage: (listener) => process.on("message", listener),
    onDisconnect: (listener) => process.on("disconnect", listener),
  };
}
