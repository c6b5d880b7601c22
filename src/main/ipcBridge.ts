// Serves the protocol over Electron IPC: one invoke channel for calls (through the zod-validating
// dispatcher) and one push channel for events. Every call is checked to come from the app's own
// page in a top-level frame; anything else is refused without reaching a handler.
import { ipcMain, type BrowserWindow } from "electron";
import type { Dispatch } from "../core/rpc/dispatcher.js";
import type { EventBus } from "../core/rpc/eventBus.js";
import type { ResultFrame } from "../shared/protocol/wire.js";
import { ipcChannels } from "../shared/protocol/ipcChannels.js";
import { isAppPageUrl, type RendererLocation } from "./rendererLocation.js";
import { senderProblem } from "./senderCheck.js";

export interface IpcBridgeOptions {
  dispatch: Dispatch;
  events: EventBus;
  location: RendererLocation;
  /** The windows that receive events (looked up on every event, so new windows are included). */
  windows: () => readonly BrowserWindow[];
}

function callId(frame: unknown): number {
  const id = (frame as { id?: unknown } | null)?.id;
  return typeof id === "number" && Number.isInteger(id) ? id : -1;
}

/** Registers the IPC handlers; returns a function that removes them. */
export function serveIpc(options: IpcBridgeOptions): () => void {
  ipcMain.handle(ipcChannels.call, async (event, frame: unknown): Promise<ResultFrame> => {
    const problem = senderProblem(event.senderFrame, options.location);
    if (problem) {
      console.warn(`[cwb] refused IPC call: ${problem}`);
      return {
        type: "result",
        id: callId(frame),
        ok: false,
        error: { name: "ProtocolError", message: problem, code: "FORBIDDEN" },
      };
    }
    return options.dispatch(frame);
  });

  const unsubscribe = options.events.subscribe((topic, payload) => {
    for (const window of options.windows()) {
      const contents = window.webContents;
      if (window.isDestroyed() || contents.isDestroyed()) continue;
      if (!isAppPageUrl(contents.getURL(), options.location)) continue;
      contents.send(ipcChannels.event, { type: "event", topic, payload });
    }
  });

  return () => {
    unsubscribe();
    ipcMain.removeHandler(ipcChannels.call);
  };
}
