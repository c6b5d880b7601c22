// Runs first inside an Electron utilityProcess: maps process.parentPort onto the process.send /
// process.on("message") interface the job worker uses under child_process.fork, then loads the
// worker named by $CWB_WORKER_ENTRY (an env var, so the shape of a utility process's argv does not
// matter; the worker sees argv as under fork: [node, worker, ...args]).
import { fileURLToPath, pathToFileURL } from "node:url";

// Set by utilityWorkerLauncher.ts.
const workerEntryEnv = "CWB_WORKER_ENTRY";

const workerPath = process.env[workerEntryEnv];
if (!workerPath) {
  process.stderr.write(`utilityWorkerShim: $${workerEntryEnv} is not set\n`);
  process.exit(2);
}

const self = fileURLToPath(import.meta.url);
const args = process.argv[1] === self ? process.argv.slice(2) : process.argv.slice(1);
process.argv = [process.execPath, workerPath, ...args];

const port = process.parentPort;
process.send = (message: unknown, ...more: unknown[]): boolean => {
  port.postMessage(message);
  const callback = more.find((item): item is (error: Error | null) => void => typeof item === "function");
  if (callback) queueMicrotask(() => callback(null));
  return true;
};
Object.defineProperty(process, "connected", { value: true, configurable: true });
port.on("message", (event) => {
  process.emit("message", event.data, undefined);
});

await import(pathToFileURL(workerPath).href);
