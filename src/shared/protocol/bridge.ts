// The object the Electron preload exposes to the renderer as `window.cwb`. It carries the same call
// and event frames as the WebSocket transport, plus the one thing only Electron can do: give the
// real filesystem path of a File the user dropped or picked (browsers hide it).
import type { EventTopic } from "./endpoints.js";

export interface CwbBridge {
  /** Runs one protocol call; rejects with an Error carrying the wire error's name, message and code. */
  call(method: string, params: unknown): Promise<unknown>;
  /** Receives every protocol event; returns an unsubscribe function. */
  on(listener: (topic: EventTopic, payload: unknown) => void): () => void;
  /** Electron's webUtils.getPathForFile: "" when the File does not come from disk. */
  getPathForFile(file: File): string;
}

/** The global name the preload uses with contextBridge.exposeInMainWorld. */
export const bridgeGlobalName = "cwb";
