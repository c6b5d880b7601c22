// The desktop implementation of core's WorkerLauncher: Electron's utilityProcess, a Node process
// that needs no ELECTRON_RUN_AS_NODE (that fuse is off). utilityProcess children talk through
// process.parentPort, so they start in utilityWorkerShim.ts, which gives the unchanged worker the
// process.send / "message" interface it uses under child_process.fork.
import { utilityProcess } from "electron";
import type { WorkerHandle, WorkerLauncher, WorkerSpawnSpec } from "../core/jobs/WorkerLauncher.js";
import type { ParentMessage } from "../core/jobs/workerMessages.js";
import { WorkerOutputRelay } from "../core/jobs/workerOutputRelay.js";

export interface UtilityWorkerLauncherOptions {
  /** The bundled utilityWorkerShim.js. */
  shimPath: string;
  /**
   * The bundled worker (worker.js next to main.js). The queue's default entry points into the
   * dist/node layout, which the bundled app does not have, so the app's own bundle replaces it.
   */
  workerPath?: string;
}

export function createUtilityWorkerLauncher(options: UtilityWorkerLauncherOptions): WorkerLauncher {
  return {
    spawn(spec: WorkerSpawnSpec): WorkerHandle {
      const entry = options.workerPath ?? spec.entryPath;
      const child = utilityProcess.fork(options.shimPath, [...spec.args], {
        env: { ...spec.env, CWB_WORKER_ENTRY: entry },
        cwd: spec.cwd,
        // A bundled worker needs no loader flags; the queue's (e.g. --import tsx) fit only its own entry.
        execArgv: options.workerPath ? [] : [...spec.execArgv],
        stdio: "pipe",
        serviceName: "Compression Workbench job",
      });

      const relay = new WorkerOutputRelay(child.stdout, child.stderr);
      // utilityProcess reports an exit code only; a signal death shows up as a non-zero code.
      child.on("exit", (code) => relay.exited({ code, signal: null }));

      return {
        get pid() {
          return child.pid;
        },
        send(message: ParentMessage) {
          if (relay.exit === undefined) child.postMessage(message);
        },
        onMessage(listener) {
          child.on("message", listener);
        },
        onOutput(listener) {
          relay.onOutput(listener);
        },
        onExit(listener) {
          relay.onExit(listener);
        },
        kill() {
          if (relay.exit !== undefined) return;
          // child.kill() is SIGTERM on POSIX; the interface promises "at once".
          if (child.pid !== undefined && process.platform !== "win32") {
            try {
              process.kill(child.pid, "SIGKILL");
              return;
            } catch {
              // Already gone between the check and the kill: fall through.
            }
          }
          child.kill();
        },
      };
    },
  };
}
