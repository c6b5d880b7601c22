// The composition root shared by the CLI, the HTTP/WebSocket server and Electron's main process:
// one data dir, one Store, the model library, the event bus, and the protocol's call handlers.
import { wordDatabaseDiskFull } from "./rpc/wordDatabaseDiskFull.js";
import { addTextFile } from "./texts/addTextFile.js";
import { listOfferedTexts } from "./texts/offeredTexts.js";
import { listLlamaBuilds } from "./llamaBuilds/listLlamaBuilds.js";
import { ProtocolError } from "../shared/protocol/wire.js";
import { EventBus } from "./rpc/eventBus.js";
import type { CallHandlers } from "./rpc/dispatcher.js";
import { ensureDataPaths, resolveDataDir, type DataPaths } from "./paths.js";
import { Store, type Db } from "./store/Store.js";
import { LibraryError } from "./library/LibraryError.js";
import { getModel, listModels, modelLineageOf, removeModel } from "./library/modelLibrary.js";
import { importModel, type ImportResult, type InspectOptions } from "./library/importModel.js";
import { appVersion, llamaVersions } from "./versions.js";
import { JobQueue } from "./jobs/JobQueue.js";
import type { WorkerLauncher } from "./jobs/WorkerLauncher.js";
import type { WorkerEntry } from "./jobs/workerEntry.js";
import { ExperimentService } from "./experiments/ExperimentService.js";
import os from "node:os";
import type { MachineFingerprint } from "../shared/domain/bench.js";
import { collectMachineFingerprint } from "./machine/machineFingerprint.js";
import { startLayersJob, startPruneJob } from "./compress/layerJobs.js";
import {
  searchOutcome,
  startSearch,
  startSearchedQuantize,
  summarizeSearch,
} from "./search/searchSession.js";
import { planEvaluation } from "./eval/planEvaluation.js";
import { planExport } from "./export/planExport.js";
import { addDevice, editDevice, getDevice, listDevices, removeDevice } from "./devices/deviceProfiles.js";
import { predictForDevice } from "./devices/predictForDevice.js";
import { compareOnDevice } from "./devices/compareOnDevice.js";
import { importDeviceResults } from "./deviceResults/importDeviceResults.js";
import { keepUploadedResults } from "./deviceResults/keepUploadedResults.js";
import type { DeviceResultsImportRequest } from "../shared/deviceResults/deviceResultsImport.js";

export interface WorkbenchOptions {
  /** --data-dir; falls back to $CWB_DATA_DIR, then the OS user-data folder. */
  dataDir?: string | null;
  /** Which transport app.info reports (the server overrides it per connection). */
  transport?: "ipc" | "websocket";
  /** How job workers are started; default child_process.fork. Electron passes a utilityProcess launcher. */
  workerLauncher?: WorkerLauncher;
  /** The worker script; default found next to JobQueue's module, which is wrong inside a bundle (Electron passes it). */
  workerEntry?: WorkerEntry;
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

  readonly experiments: ExperimentService;

  private constructor(paths: DataPaths, store: Store, options: WorkbenchOptions) {
    this.paths = paths;
    this.store = store;
    this.#transport = options.transport ?? "ipc";
    this.jobs = new JobQueue({
      db: store.db,
      dataDir: paths.dataDir,
      events: this.events,
      launcher: options.workerLauncher,
      workerEntry: options.workerEntry,
    });
    this.experiments = new ExperimentService({
      db: store.db,
      dataDir: paths.dataDir,
      jobs: this.jobs,
      events: this.events,
    });
  }

  static open(options: WorkbenchOptions = {}): Workbench {
    const paths = ensureDataPaths(resolveDataDir(options.dataDir));
    return new Workbench(paths, Store.open(paths.database), options);
  }

  get dataDir(): string {
    return this.paths.dataDir;
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
    // Recorded device results change the device's predictions: screens showing it reload.
    const importResults = async (request: DeviceResultsImportRequest) => {
      const outcome = await withProtocolErrors(() => importDeviceResults(db, request));
      if (outcome.status === "recorded") this.events.emit("devices.changed", { id: request.device });
      return outcome;
    };
    return wordDatabaseDiskFull(
      {
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

        "app.machine": () => this.#machine(),
        "app.llamaBuilds": () => listLlamaBuilds(),
        "texts.list": () => ({ texts: listOfferedTexts(this.db, this.dataDir) }),
        "texts.add": (request) => withProtocolErrors(() => addTextFile(db, this.dataDir, request)),
        "models.list": () => listModels(db),
        "models.get": ({ id }) => withProtocolErrors(() => getModel(db, id)),
        "models.lineage": ({ id }) => withProtocolErrors(() => modelLineageOf(db, id)),
        "models.remove": async ({ id, deleteFile }) => {
          const result = await withProtocolErrors(() => removeModel(db, id, { deleteFile }));
          this.events.emit("models.changed", { id: result.model.id });
          return { removed: result.removed, fileDeleted: result.fileDeleted };
        },

        "jobs.list": ({ limit }) => this.jobs.list(limit),
        "jobs.get": ({ id }) => this.jobs.get(id),
        "jobs.start": ({ kind, params }) => this.jobs.enqueue(kind, params),
        "jobs.cancel": ({ id }) => this.jobs.cancel(id),
        // A step of an experiment is retried through its graph, which the experiment follows.
        "jobs.retry": ({ id }) =>
          this.jobs.get(id).stepKey === null ? this.jobs.retry(id) : this.experiments.retryStep(id),
        "jobs.logs": ({ id, tail }) => this.jobs.logs(id, tail),
        "jobs.metrics": ({ id }) => this.jobs.metrics(id),

        "compress.startLayers": (request) => startLayersJob(this.#layerJobsHost(), request),
        "compress.startPrune": (request) => startPruneJob(this.#layerJobsHost(), request),
        "search.plan": (request) => summarizeSearch(this.#layerJobsHost(), request),
        "search.start": (request) => startSearch(this.#layerJobsHost(), request),
        "search.quantize": ({ budget, ...request }) =>
          startSearchedQuantize(this.#layerJobsHost(), request, budget),
        "search.result": ({ budgets, ...request }) => searchOutcome(this.#layerJobsHost(), request, budgets),
        "eval.start": async ({ baseModelId, variantModelIds, textPath, settings }) => {
          const params = await withProtocolErrors(() =>
            planEvaluation(db, { base: baseModelId, variants: variantModelIds, textPath, settings }),
          );
          return this.jobs.enqueue("eval", params);
        },

        "export.start": async ({ modelId, outPath, split, contextLength, deviceId, runtimeFiles }) => {
          const params = await withProtocolErrors(() =>
            planExport(db, { model: modelId, outPath, split, contextLength, deviceId, runtimeFiles }),
          );
          return this.jobs.enqueue("export.bundle", params);
        },

        "results.importContent": ({ fileName, content, ...request }) =>
          importResults({ ...request, path: keepUploadedResults(this.dataDir, fileName, content) }),
        "results.import": importResults,

        "experiments.list": ({ search }) => this.experiments.list(search),
        "experiments.get": ({ id }) => this.experiments.get(id),
        "experiments.buildComparison": ({ id }) => this.experiments.buildComparison(id),
        "experiments.unfinishedSweep": ({ modelId, recipe }) =>
          this.experiments.unfinishedSweep(modelId, recipe),
        "experiments.startSweep": ({ modelId, recipe, name }) =>
          this.experiments.startSweep(modelId, recipe, name),
        "experiments.rerun": ({ id }) => this.experiments.rerun(id),
        "experiments.resume": ({ id }) => this.experiments.resume(id),
        "experiments.cancel": ({ id }) => this.experiments.cancel(id),
        "experiments.remove": ({ id, deleteFiles }) => this.experiments.remove(id, deleteFiles),
        "experiments.addNote": ({ id, text }) => this.experiments.addNote(id, text),
        "experiments.setTags": ({ id, tags }) => this.experiments.setTags(id, tags),

        "devices.list": () => listDevices(db),
        "devices.get": ({ id }) => getDevice(db, id),
        "devices.add": ({ profile, copiedFrom }) => {
          const entry = addDevice(db, profile, { copiedFrom });
          this.events.emit("devices.changed", { id: entry.profile.id });
          return entry;
        },
        "devices.edit": ({ id, profile }) => {
          const entry = editDevice(db, id, profile);
          this.events.emit("devices.changed", { id });
          return entry;
        },
        "devices.remove": ({ id }) => {
          removeDevice(db, id);
          this.events.emit("devices.changed", { id });
          return { removed: true };
        },
        "devices.predict": ({ deviceId, contextSize, modelIds, experimentId }) =>
          withProtocolErrors(() =>
            predictForDevice(db, { deviceId, contextSize, models: modelIds, experimentId }),
          ),
        "devices.compare": ({ deviceId, contextSize, modelIds, experimentId, measuredOnly }) =>
          withProtocolErrors(() =>
            compareOnDevice(db, { deviceId, contextSize, models: modelIds, experimentId, measuredOnly }),
          ),
      },
      this.paths.database,
    );
  }

  #machineFacts?: Promise<MachineFingerprint>;

  /** The fingerprint is collected once (it may run nvidia-smi); free memory is read on every call. */
  async #machine() {
    this.#machineFacts ??= collectMachineFingerprint();
    const machine = await this.#machineFacts;
    return {
      cpu: machine.cpu,
      cores: machine.cores,
      ramBytes: machine.ramBytes,
      freeRamBytes: os.freemem(),
      gpu: machine.gpu,
      vramBytes: machine.details.vramBytes,
      os: machine.os,
    };
  }

  #layerJobsHost() {
    return { db: this.db, dataDir: this.paths.dataDir, jobs: this.jobs };
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
