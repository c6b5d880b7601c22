// export.bundle, worker half: writes the bundle into its staging folder beside the destination
// (core/export/writeBundle.ts); the parent renames it into place (core/jobs/kinds/exportBundle.ts).
// No llama.cpp here: the split is plain file work over the GGUF layout.
import { bundleStagingPath } from "../../core/export/bundlePaths.js";
import { writeBundle } from "../../core/export/writeBundle.js";
import { formatBytes } from "../../shared/format.js";
import { defineRunner } from "../Runner.js";

export default defineRunner("export.bundle", async (params, context) => {
  const stagingPath = bundleStagingPath(params.outPath, context.jobId);
  const written = await writeBundle(params, stagingPath, {
    signal: context.signal,
    onProgress: ({ bytesDone, bytesTotal, step }) =>
      context.progress(
        bytesTotal > 0 ? bytesDone / bytesTotal : null,
        `${step}: ${formatBytes(bytesDone)} of ${formatBytes(bytesTotal)}`,
      ),
  });
  context.log(
    "info",
    `bundle staged in ${stagingPath}: ${written.files.length} files, ${formatBytes(written.bytes)}`,
  );
  return { stagingPath, ...written };
});
