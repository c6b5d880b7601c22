// The sandboxed preload: exposes `window.cwb` (shared/protocol/bridge.ts) and nothing else. It can
// only require "electron", so it uses the plain call-name list instead of the zod protocol; the main
// process validates every payload again.
import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from "electron";
import { bridgeGlobalName, type BridgeOutcome, type CwbBridge } from "../shared/protocol/bridge.js";
import { isCallName } from "../shared/protocol/callNames.js";
import type { EventTopic } from "../shared/protocol/endpoints.js";
import { ipcChannels } from "../shared/protocol/ipcChannels.js";

let nextCallId = 1;

interface ResultLike {
  ok?: unknown;
  value?: unknown;
  error?: { name?: unknown; message?: unknown; code?: unknown };
}

/** The main process's answer reduced to plain strings (the preload has no schema library). */
function toOutcome(method: string, result: ResultLike | null): BridgeOutcome {
  if (result?.ok === true) return { ok: true, value: result.value };
  const error = result?.error;
  return {
    ok: false,
    error: {
      name: typeof error?.name === "string" ? error.name : "Error",
      message: typeof error?.message === "string" ? error.message : `${method} failed`,
      ...(typeof error?.code === "string" ? { code: error.code } : {}),
    },
  };
}

const bridge: CwbBridge = {
  async call(method, params) {
    if (!isCallName(method)) throw new Error(`Unknown method "${String(method)}"`);
    const frame = { type: "call", id: nextCallId++, method, params };
    return toOutcome(method, (await ipcRenderer.invoke(ipcChannels.call, frame)) as ResultLike | null);
  },

  on(listener) {
    if (typeof listener !== "function") throw new TypeError("cwb.on needs a listener function");
    const handler = (
      _event: IpcRendererEvent,
      frame: { topic?: unknown; payload?: unknown } | null,
    ): void => {
      if (typeof frame?.topic === "string") listener(frame.topic as EventTopic, frame.payload);
    };
    ipcRenderer.on(ipcChannels.event, handler);
    return () => {
      ipcRenderer.removeListener(ipcChannels.event, handler);
    };
  },

  getPathForFile(file) {
    return webUtils.getPathForFile(file);
  },
};

contextBridge.exposeInMainWorld(bridgeGlobalName, bridge);
