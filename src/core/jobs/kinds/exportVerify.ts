// export.verify, parent half: nothing to record; the worker's findings are the job's result. A .zip
// bundle's model entries are copied into the job's temp folder for llama.cpp to load, so that much
// room (at most the archive's size) is checked first.
import { statSync } from "node:fs";
import path from "node:path";
import { bundleFormat } from "../../export/bundlePaths.js";
import { defineJobKindHost } from "../JobKindHost.js";

export const exportVerifyHost = defineJobKindHost({
  kind: "export.verify",
  estimateOutput(params, context) {
    if (bundleFormat(params.path) !== "zip") return null;
    const bytes = statSync(path.resolve(params.path), { throwIfNoEntry: false })?.size ?? 0;
    return { bytes, dir: path.join(context.dataDir, "tmp") };
  },
});
