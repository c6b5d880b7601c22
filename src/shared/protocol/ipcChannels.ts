// The two IPC channels between the preload and the main process. Everything crosses them as the
// protocol's own frames (shared/protocol/wire.ts), so IPC adds no message types of its own.
export const ipcChannels = {
  /** Renderer → main, ipcRenderer.invoke: a call frame in, a result frame out. */
  call: "cwb:call",
  /** Main → renderer, webContents.send: an event frame. */
  event: "cwb:event",
} as const;
