// The object the Electron preload exposes to the renderer as `window.cwb`. It carries the same call
// and event frames as the WebSocket transport, plus the one thing only Electron can do: give the
// real filesystem path of a File the user dropped or picked (browsers hide it).
import type { EventTopic } from "./endpoints.js";
import type { WireError } from "./wire.js";

/**
 * A call's outcome as plain data. contextBridge passes only the message of a rejected Error (its
 * name and code are lost), so failures travel as values and the renderer makes the error.
 */
export type BridgeOutcome = { ok: true; value: unknown } | { ok: false; error: WireError };

export interface CwbBridge {
  /** Runs one protocol call; never rejects for an error the other side reported. */
  call(method: string, params: unknown): Promise<BridgeOutcome>;
  /** Receives every protocol event; returns an unsubscribe function. */
  on(listener: (topic: EventTopic, payload: unknown) => void): () => void;
  /** Electron's webUtils.getPathForFile: "" when the File does not come from disk. */
  getPathForFile(file: File): string;
}

/** The global name the preload uses with contextBridge.exposeInMainWorld. */
export const bridgeGlobalName = "cwb";
