// Where the worker script is, found from this module's own location: compiled code runs
// dist/node/core/jobs/workerEntry.js → dist/node/worker/main.js; tests run the TypeScript sources
// (src/core/jobs/workerEntry.ts → src/worker/main.ts), which Node loads through tsx. Tests and the
// desktop app may pass their own entry to the queue instead.
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export interface WorkerEntry {
  readonly entryPath: string;
  readonly execArgv: readonly string[];
}

export function resolveWorkerEntry(moduleUrl: string = import.meta.url): WorkerEntry {
  return resolveNodeEntry(moduleUrl, ["..", "..", "worker", "main"]);
}

/**
 * A script of this source tree, found relative to the calling module (its own extension: .ts under
 * tsx, .js when compiled), with what Node needs to run it.
 */
export function resolveNodeEntry(moduleUrl: string, relativeParts: readonly string[]): WorkerEntry {
  const here = fileURLToPath(moduleUrl);
  const extension = path.extname(here) === ".ts" ? ".ts" : ".js";
  const entryPath = `${path.resolve(path.dirname(here), ...relativeParts)}${extension}`;
  if (extension === ".js") return { entryPath, execArgv: [] };
  // tsx by absolute URL, so the script can run in any working directory.
  const tsxLoader = createRequire(moduleUrl).resolve("tsx");
  return { entryPath, execArgv: ["--import", pathToFileURL(tsxLoader).href] };
}
