// imatrix, parent half: moves the matrix into place and records it as an 'imatrix' artifact of the
// model, tied to its calibration text set and settings.
import path from "node:path";
import { insertArtifact } from "../../store/artifacts.js";
import { crashPoint } from "../../crashPoint.js";
import { commitOutput } from "../commitOutput.js";
import { defineJobKindHost } from "../JobKindHost.js";

export const imatrixHost = defineJobKindHost({
  kind: "imatrix",
  estimateOutput(params) {
    // Sums and counts per weight matrix: a few MB even for large models.
    return { bytes: 64 << 20, dir: path.dirname(params.outPath) };
  },
  async complete(v, params, { db, job }) {
    const outPath = path.resolve(params.outPath);
    await commitOutput(v.tempPath, outPath);
    crashPoint("artifact.before-record");
    const artifact = insertArtifact(db, {
      kind: "imatrix",
      path: outPath,
      sha256: v.sha256,
      bytes: v.bytes,
      modelId: params.model.modelId,
      textSetId: params.text.textSetId,
      jobId: job.id,
      settings: {
        ...params.settings,
        chunksUsed: v.chunks,
        chunkCount: v.chunkCount,
        chunkSize: v.chunkSize,
        tokens: v.tokens,
        entries: v.entries,
        textSha256: params.text.sha256,
      },
    });
    return {
      artifactId: artifact.id,
      path: outPath,
      sha256: v.sha256,
      bytes: v.bytes,
      entries: v.entries,
      chunks: v.chunks,
      tokens: v.tokens,
      seconds: v.seconds,
      textSetId: params.text.textSetId,
    };
  },
});
