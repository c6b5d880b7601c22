// What the renderer's screens talk to: the shared WorkbenchClient plus what only a UI needs
// (connection status, importing a File the user dropped or picked). Each transport decides how.
import type { Job } from "../../shared/domain/job.js";
import type { OfferedText } from "../../shared/domain/offeredText.js";
import type { WorkbenchClient } from "../../shared/protocol/client.js";

export type ConnectionStatus = "connecting" | "connected" | "disconnected" | "unauthorized";

export interface RendererClient extends WorkbenchClient {
  readonly status: ConnectionStatus;
  /** Called on every status change; returns an unsubscribe function. */
  onStatus(listener: (status: ConnectionStatus) => void): () => void;
  /**
   * Starts a "models.import" job for a File from a picker or drop. Electron imports it in place by
   * its real path; a browser has no path, so the bytes are uploaded to the server first.
   */
  importFile(file: File, onUploadProgress?: (fraction: number) => void): Promise<Job>;
  /**
   * Stores a picked or dropped text File as a library text set ("texts.add"). Electron passes its
   * real path; a browser uploads the bytes to the server first.
   */
  addTextFile(file: File, purpose: "calibration" | "evaluation"): Promise<OfferedText>;
}
