// debug.sleep, parent half (diagnostic kind, see shared/protocol/jobKinds.ts): declares its
// `outputBytes` so tests can see the free-space check refuse a job before it starts.
import { defineJobKindHost } from "../JobKindHost.js";

export const debugSleepHost = defineJobKindHost({
  kind: "debug.sleep",
  estimateOutput(params, { dataDir }) {
    return params.outputBytes === undefined ? null : { bytes: params.outputBytes, dir: dataDir };
  },
});
