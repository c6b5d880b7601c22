// reference.build, parent half: moves the folder the worker built into the reference cache
// (<dataDir>/reference/<variant>-<hash>), replacing an older build of the same recipe (--force).
import path from "node:path";
import { installReferenceDir, referenceBuildFolder, referenceRoot } from "../../reference/referenceCache.js";
import { defineJobKindHost } from "../JobKindHost.js";

export const referenceBuildHost = defineJobKindHost({
  kind: "reference.build",
  estimateOutput(_params, { dataDir }) {
    // An F16 model of ~11 MB, two texts of ~1 MB, and F32 scratch copies while training.
    return { bytes: 80 * 1024 * 1024, dir: dataDir };
  },
  complete(result, _params, { dataDir, tempDir }) {
    const root = referenceRoot(dataDir);
    if (path.dirname(result.dir) !== root)
      throw new Error(`reference.build: ${result.dir} is not inside ${root}`);
    installReferenceDir(path.join(tempDir, referenceBuildFolder), result.dir);
    return result;
  },
});
