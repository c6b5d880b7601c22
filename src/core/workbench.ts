// The composition root shared by the CLI, the HTTP/WebSocket server and Electron's main process:
// one data dir, one Store, the model library, the event bus, and the protocol's call handlers.
import { ProtocolError } from "../shared/protocol/wire.js";
import { EventBus } from "./rpc/eventBus.js";
import type { CallHandlers } from "./rpc/dispatcher.js";
import { ensureDataPaths, resolveDataDir, type DataPaths } from "./paths.js";
import { Store, type Db } from "./store/Store.js";
import { LibraryError } from "./library/LibraryError.js";
import { getModel, listModels, removeModel } from "./library/modelLibrary.js";
import { importModel, type ImportResult, type InspectOptions } from "./library/importModel.js";
import { appVersion, llamaVersions } from "./versions.js";
import { JobQueue } from "./jobs/JobQueue.js";
import type { WorkerLauncher } from "./jobs/WorkerLauncher.js";

export interface WorkbenchOptions {
  /** --data-dir; falls back to $CWB_DATA_DIR, then the OS user-data folder. */
  dataDir?: string | null;
  /** Which transport app.info reports (the server overrides it per connection). */
  transport?: "ipc" | "websocket";
  /** How job workers are started; default child_process.fork. Electron passes a utilityProcess launcher. */
  workerLauncher?: WorkerLauncher;
}

export class Workbench {
  readonly paths: DataPaths;
  readonly store: Store;
  readonly events = new EventBus();
  readonly #transport: "ipc" | "websocket";

  // ── jobs ───────────────────────────────────────────────────────────────────────────────────────
  /**
   * Created idle: a process that runs jobs calls `await jobs.start()` (serving the protocol does it
   * in handlers(); a CLI foreground run does it in headless/cli/runJobInForeground.ts).
   */
  readonly jobs: JobQueue;

  private constructor(paths: DataPaths, store: Store, options: WorkbenchOptions) {
    this.paths = paths;
    this.store = store;
    this.#transport = options.transport ?? "ipc";
    this.jobs = new JobQueue({
      db: store.db,
      dataDir: paths.dataDir,
      events: this.events,
      launcher: options.workerLauncher,
    });
  }

  static open(options: WorkbenchOptions = {}): Workbench {
    const paths = ensureDataPaths(resolveDataDir(options.dataDir));
    return new Workbench(paths, Store.open(paths.database), options);
  }

  get db(): Db {
    return this.store.db;
  }

  handlers(): CallHandlers {
    const db = this.db;
    // Serving the protocol (desktop app, `cwb serve`) makes this the process that runs jobs: recover
    // the ones a previous run left behind and start the queue.
    this.jobs
      .start()
      .catch((error: unknown) =>
        console.error(`job queue failed to start: ${error instanceof Error ? error.message : String(error)}`),
      );
    return {
      "app.info": () => {
        const llama = llamaVersions();
        return {
          version: appVersion(),
          dataDir: this.paths.dataDir,
          llamaCppRelease: llama.llamaCppRelease,
          nodeLlamaCppVersion: llama.nodeLlamaCpp,
          transport: this.#transport,
        };
      },

      "models.list": () => listModels(db),
      "models.get": ({ id }) => withProtocolErrors(() => getModel(db, id)),
      "models.remove": async ({ id, deleteFile }) => {
        const result = await withProtocolErrors(() => removeModel(db, id, { deleteFile }));
        this.events.emit("models.changed", { id: result.model.id });
        return { removed: result.removed, fileDeleted: result.fileDeleted };
      },

      "jobs.list": ({ limit }) => this.jobs.list(limit),
      "jobs.get": ({ id }) => this.jobs.get(id),
      "jobs.start": ({ kind, params }) => this.jobs.enqueue(kind, params),
      "jobs.cancel": ({ id }) => this.jobs.cancel(id),
      "jobs.retry": ({ id }) => this.jobs.retry(id),
      "jobs.logs": ({ id, tail }) => this.jobs.logs(id, tail),
    };
  }

  /**
   * Imports in this process and tells listeners the library changed. The CLI and the app import
   * through the "models.import" job instead (hashing in a worker); this is for tools and tests.
   */
  async importModel(filePath: string, options: InspectOptions = {}): Promise<ImportResult> {
    const result = await importModel(this.db, filePath, options);
    if (!result.alreadyPresent) this.events.emit("models.changed", { id: result.model.id });
    return result;
  }

  close(): void {
    // Workers first: their jobs are recorded as interrupted while the store is still open.
    this.jobs.closeNow();
    this.store.close();
  }
}

/** Library refusals cross the transport as ProtocolErrors with the same code and message. */
async function withProtocolErrors<T>(fn: () => T | Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof LibraryError) throw new ProtocolError(error.code, error.message);
    throw error;
  }
}

export function openWorkbench(options: WorkbenchOptions = {}): Workbench {
  return Workbench.open(options);
}
