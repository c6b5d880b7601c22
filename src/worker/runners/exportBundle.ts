// export.bundle, worker half: writes the bundle into its staging folder beside the destination
// (core/export/writeBundle.ts) and, for a .zip destination, stores that folder in an archive inside
// the staging folder (core/export/zip/writeZip.ts); the parent renames the result into place
// (core/jobs/kinds/exportBundle.ts). No llama.cpp here: the split and the zip are plain file work.
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { bundleFormat, bundleStagingPath } from "../../core/export/bundlePaths.js";
import { manifestFileName, writeBundle } from "../../core/export/writeBundle.js";
import { writeZip } from "../../core/export/zip/writeZip.js";
import { formatBytes } from "../../shared/format.js";
import { defineRunner } from "../Runner.js";

export default defineRunner("export.bundle", async (params, context) => {
  const stagingPath = bundleStagingPath(params.outPath, context.jobId);
  const zip = bundleFormat(params.outPath) === "zip";
  // A zip is written from the staged folder: twice the bytes go by, so each pass is half the bar.
  const share = zip ? 0.5 : 1;
  const folder = zip ? path.join(stagingPath, "bundle") : stagingPath;
  if (zip) await mkdir(stagingPath);
  const written = await writeBundle(params, folder, {
    signal: context.signal,
    onProgress: ({ bytesDone, bytesTotal, step }) =>
      context.progress(
        bytesTotal > 0 ? (share * bytesDone) / bytesTotal : null,
        `${step}: ${formatBytes(bytesDone)} of ${formatBytes(bytesTotal)}`,
      ),
  });
  if (!zip) {
    context.log(
      "info",
      `bundle staged in ${stagingPath}: ${written.files.length} files, ${formatBytes(written.bytes)}`,
    );
    return { stagingPath, ...written };
  }
  const archive = path.join(stagingPath, path.basename(params.outPath));
  const names = [manifestFileName, ...written.files.map((f) => f.path)];
  let zipped = 0;
  const archiveWritten = await writeZip(
    archive,
    names.map((name) => ({ name, file: path.join(folder, ...name.split("/")) })),
    {
      signal: context.signal,
      onBytes: (n) => {
        zipped += n;
        context.progress(
          0.5 + (0.5 * zipped) / written.bytes,
          `writing the zip: ${formatBytes(zipped)} of ${formatBytes(written.bytes)}`,
        );
      },
    },
  );
  context.log(
    "info",
    `bundle zipped in ${archive}: ${names.length} entries, ${formatBytes(archiveWritten.bytes)}`,
  );
  return { stagingPath: archive, files: written.files, entry: written.entry, bytes: archiveWritten.bytes };
});
