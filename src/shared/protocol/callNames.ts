// The protocol's call names as a plain list, for code that must not load zod: the sandboxed Electron
// preload refuses any method not in it. When you add a call to endpoints.ts, add its name here too;
// the compile-time check below and test/electron/callNames.test.ts fail until you do.
import type { CallName } from "./endpoints.js";

export const callNames = [
  "app.info",
  "app.machine",
  "app.llamaBuilds",
  "texts.list",
  "texts.add",
  "models.list",
  "models.get",
  "models.lineage",
  "models.remove",
  "jobs.list",
  "jobs.get",
  "jobs.start",
  "jobs.cancel",
  "jobs.retry",
  "jobs.logs",
  "jobs.metrics",
  "compress.startLayers",
  "compress.startPrune",
  "search.plan",
  "search.start",
  "search.result",
  "search.quantize",
  "eval.start",
  "export.start",
  "results.import",
  "results.importContent",
  "experiments.list",
  "experiments.get",
  "experiments.buildComparison",
  "experiments.startSweep",
  "experiments.rerun",
  "experiments.unfinishedSweep",
  "experiments.resume",
  "experiments.cancel",
  "experiments.remove",
  "experiments.addNote",
  "experiments.setTags",
  "devices.list",
  "devices.get",
  "devices.add",
  "devices.edit",
  "devices.remove",
  "devices.predict",
  "devices.compare",
] as const satisfies readonly CallName[];

type MissingCallNames = Exclude<CallName, (typeof callNames)[number]>;
/** Fails to compile, naming the missing calls, when endpoints.ts has a call this list lacks. */
export const callNamesComplete: [MissingCallNames] extends [never] ? true : MissingCallNames = true;

const callNameSet: ReadonlySet<string> = new Set(callNames);

export function isCallName(method: unknown): method is CallName {
  return typeof method === "string" && callNameSet.has(method);
}
