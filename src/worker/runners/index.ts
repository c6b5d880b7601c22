// Job kind → runner. Loaded lazily so a worker imports only the code of the job it runs (loading
// node-llama-cpp alone takes half a second). Add one file per kind next to this one; every kind
// declared in shared/protocol/jobKinds.ts needs one (the type says so, and jobKindContract.test.ts).
import type { JobKind } from "../../shared/protocol/jobKinds.js";
import type { KindRunner } from "../Runner.js";

export const runners: { [K in JobKind]: () => Promise<{ default: KindRunner<K> }> } = {
  "models.import": () => import("./modelsImport.js"),
  /** Diagnostic: proves crash isolation and cancel in tests. */
  "debug.sleep": () => import("./debugSleep.js"),
  eval: () => import("./eval.js"),
  quantize: () => import("./quantize.js"),
  imatrix: () => import("./imatrix.js"),
  layers: () => import("./layers.js"),
  "search.sensitivity": () => import("./searchSensitivity.js"),
  prune: () => import("./prune.js"),
  channels: () => import("./channels.js"),
  "prune.width": () => import("./pruneWidth.js"),
  bench: () => import("./bench.js"),
  "reference.build": () => import("./referenceModel.js"),
  "models.random": () => import("./modelsRandom.js"),
  train: () => import("./train.js"),
  distill: () => import("./distill.js"),
  "distill.data": () => import("./distillData.js"),
  generate: () => import("./generate.js"),
  speculate: () => import("./speculate.js"),
  "llama.build": () => import("./llamaBuild.js"),
  "export.bundle": () => import("./exportBundle.js"),
  "export.verify": () => import("./exportVerify.js"),
};
