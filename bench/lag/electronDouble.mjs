// The part of Electron's API the IPC adapter (src/main/ipcBridge.ts) uses, for measuring the main
// process's code path in plain Node (the Electron binary cannot be installed here). Events sent to
// the window are serialised as Electron's IPC does (structured clone), so their cost is counted.
import { serialize } from "node:v8";

const handlers = new Map();

export const ipcMain = {
  handle(channel, listener) {
    if (handlers.has(channel)) throw new Error(`a handler for ${channel} is already registered`);
    handlers.set(channel, listener);
  },
  removeHandler(channel) {
    handlers.delete(channel);
  },
};

/** What the renderer's ipcRenderer.invoke reaches: the registered handler, with a sender frame. */
export function invokeFromPage(channel, senderUrl, ...args) {
  const handler = handlers.get(channel);
  if (!handler) throw new Error(`no handler for ${channel}`);
  return handler({ senderFrame: { url: senderUrl, parent: null } }, ...args);
}

/** A window whose page is at `url`; `onEvent` sees each event after it was serialised. */
export function windowAt(url, onEvent) {
  return {
    isDestroyed: () => false,
    webContents: {
      isDestroyed: () => false,
      getURL: () => url,
      send(channel, message) {
        onEvent(channel, serialize(message).byteLength, message);
      },
    },
  };
}

export class BrowserWindow {
  static getAllWindows() {
    return [];
  }
}
export const app = {};
export const dialog = {};
export const Menu = {};
