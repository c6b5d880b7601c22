// export.verify, parent half: nothing to record; the worker's findings are the job's result.
import { defineJobKindHost } from "../JobKindHost.js";

export const exportVerifyHost = defineJobKindHost({ kind: "export.verify" });
