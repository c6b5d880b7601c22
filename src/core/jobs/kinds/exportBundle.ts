// export.bundle, parent half: checks the destination's disk before the worker starts (the model's
// size staged beside the destination, twice for a zip, which is written from the staged folder), and
// renames the finished folder or archive into place. The staging folder is removed however the job
// ends (JobKindHost.stagingPath).
import { existsSync } from "node:fs";
import { rename, stat } from "node:fs/promises";
import path from "node:path";
import { crashPoint } from "../../crashPoint.js";
import { bundleFormat, bundleStagingPath } from "../../export/bundlePaths.js";
import { OutputExistsError } from "../commitOutput.js";
import { commitMarkerPath, fileIdentity, writeCommitMarker } from "../outputCommitMarker.js";
import { defineJobKindHost } from "../JobKindHost.js";

/** Headroom for the header of each shard and the texts. */
const textBytes = 1 << 20;

export const exportBundleHost = defineJobKindHost({
  kind: "export.bundle",
  estimateOutput(params) {
    const copies = bundleFormat(params.outPath) === "zip" ? 2 : 1;
    return {
      bytes: copies * (params.modelBytes + textBytes),
      dir: path.dirname(path.resolve(params.outPath)),
    };
  },
  stagingPath(params, jobId) {
    return bundleStagingPath(params.outPath, jobId);
  },
  async complete(value, params, { tempDir }) {
    const target = path.resolve(params.outPath);
    // rename() would replace an empty folder: refuse anything already there.
    if (existsSync(target)) throw new OutputExistsError(target);
    // The staged folder or archive keeps its identity through the rename: the marker proves it is ours.
    await writeCommitMarker(commitMarkerPath(tempDir, value.stagingPath), {
      finalPath: target,
      ...fileIdentity(await stat(value.stagingPath, { bigint: true })),
    });
    crashPoint("export.staged");
    await rename(value.stagingPath, target);
    crashPoint("export.renamed");
    return {
      path: target,
      format: bundleFormat(target),
      files: value.files,
      entry: value.entry,
      bytes: value.bytes,
    };
  },
});
