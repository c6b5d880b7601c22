// The parent-side halves of the job kinds that need one (see JobKindHost.ts). A kind missing here
// still runs: its worker's value becomes its result unchanged. Add one file per kind.
import type { JobKind } from "../../../shared/protocol/jobKinds.js";
import type { JobKindHost } from "../JobKindHost.js";
import { debugSleepHost } from "./debugSleep.js";
import { evalHost } from "./eval.js";
import { benchHost } from "./bench.js";
import { modelsImportHost } from "./modelsImport.js";
import { quantizeHost } from "./quantize.js";
import { imatrixHost } from "./imatrix.js";
import { layersHost } from "./layers.js";
import { pruneHost } from "./prune.js";
import { referenceBuildHost } from "./referenceModel.js";
import { trainHost } from "./train.js";

export const jobKindHosts: Partial<{ [K in JobKind]: JobKindHost<K> }> = {
  "models.import": modelsImportHost,
  "debug.sleep": debugSleepHost,
  eval: evalHost,
  bench: benchHost,
  quantize: quantizeHost,
  imatrix: imatrixHost,
  layers: layersHost,
  prune: pruneHost,
  "reference.build": referenceBuildHost,
  train: trainHost,
};
