// models.import, worker half: checks the GGUF header and streams the file through sha256 with
// progress. The parent records the returned facts in the library (core/jobs/kinds/modelsImport.ts).
import { inspectModelFile } from "../../core/library/importModel.js";
import { formatBytes } from "../../shared/format.js";
import { defineRunner } from "../Runner.js";

export default defineRunner("models.import", async (params, context) => {
  const facts = await inspectModelFile(params.path, {
    signal: context.signal,
    onProgress: (progress) => {
      if (progress.phase === "reading-metadata") context.progress(null, "reading metadata");
      else {
        const fraction = progress.bytesTotal > 0 ? progress.bytesDone / progress.bytesTotal : null;
        context.progress(
          fraction,
          `hashing: ${formatBytes(progress.bytesDone)} of ${formatBytes(progress.bytesTotal)}`,
        );
      }
    },
  });
  for (const warning of facts.warnings) context.log("warn", warning);
  return facts;
});
