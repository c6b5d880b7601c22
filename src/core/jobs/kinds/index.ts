// The parent-side halves of the job kinds that need one (see JobKindHost.ts). A kind missing here
// still runs: its worker's value becomes its result unchanged. Add one file per kind.
import type { JobKind } from "../../../shared/protocol/jobKinds.js";
import type { JobKindHost } from "../JobKindHost.js";
import { debugSleepHost } from "./debugSleep.js";
import { modelsImportHost } from "./modelsImport.js";

export const jobKindHosts: Partial<{ [K in JobKind]: JobKindHost<K> }> = {
  "models.import": modelsImportHost,
  "debug.sleep": debugSleepHost,
};
