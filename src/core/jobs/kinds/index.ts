// The parent-side halves of the job kinds (see JobKindHost.ts), one file per kind; every kind
// declared in shared/protocol/jobKinds.ts has one (the type says so, and jobKindContract.test.ts).
// A host without complete() passes the worker's value on as the result.
import { modelsRandomHost } from "./modelsRandom.js";
import type { JobKind } from "../../../shared/protocol/jobKinds.js";
import type { JobKindHost } from "../JobKindHost.js";
import { debugSleepHost } from "./debugSleep.js";
import { evalHost } from "./eval.js";
import { generateHost } from "./generate.js";
import { speculateHost } from "./speculate.js";
import { benchHost } from "./bench.js";
import { modelsImportHost } from "./modelsImport.js";
import { quantizeHost } from "./quantize.js";
import { imatrixHost } from "./imatrix.js";
import { layersHost } from "./layers.js";
import { searchSensitivityHost } from "./searchSensitivity.js";
import { pruneHost } from "./prune.js";
import { channelsHost } from "./channels.js";
import { pruneWidthHost } from "./pruneWidth.js";
import { referenceBuildHost } from "./referenceModel.js";
import { trainHost } from "./train.js";
import { distillHost } from "./distill.js";
import { distillDataHost } from "./distillData.js";
import { llamaBuildHost } from "./llamaBuild.js";
import { exportBundleHost } from "./exportBundle.js";
import { exportVerifyHost } from "./exportVerify.js";

export const jobKindHosts: { [K in JobKind]: JobKindHost<K> } = {
  "models.import": modelsImportHost,
  "debug.sleep": debugSleepHost,
  eval: evalHost,
  bench: benchHost,
  quantize: quantizeHost,
  imatrix: imatrixHost,
  layers: layersHost,
  "search.sensitivity": searchSensitivityHost,
  prune: pruneHost,
  channels: channelsHost,
  "prune.width": pruneWidthHost,
  "reference.build": referenceBuildHost,
  "models.random": modelsRandomHost,
  train: trainHost,
  distill: distillHost,
  "distill.data": distillDataHost,
  generate: generateHost,
  speculate: speculateHost,
  "llama.build": llamaBuildHost,
  "export.bundle": exportBundleHost,
  "export.verify": exportVerifyHost,
};
