// export.verify, worker half: the manifest against its schema, every file's size and sha256
// (core/export/verifyBundle.ts; for a .zip, every entry's CRC-32 too), then llama.cpp loads the model
// from the bundle's entry file (the first shard of a split model; for a .zip, the model entries
// copied into the job's temp folder while they were checked) and predicts one token, so a bundle
// that verifies also runs.
import path from "node:path";
import { bundleFormat } from "../../core/export/bundlePaths.js";
import {
  bundleDirOf,
  checkBundleFiles,
  checkZipBundle,
  readBundleManifest,
} from "../../core/export/verifyBundle.js";
import type { ExportManifest } from "../../shared/domain/exportManifest.js";
import { formatBytes } from "../../shared/format.js";
import { defineRunner } from "../Runner.js";
import { loadNative } from "../native/loadAddon.js";

const probePrompt = "The state of the union is";

export default defineRunner("export.verify", async (params, context) => {
  const onProgress = ({
    bytesDone,
    bytesTotal,
    file,
  }: {
    bytesDone: number;
    bytesTotal: number;
    file: string;
  }) =>
    context.progress(
      bytesTotal > 0 ? (0.9 * bytesDone) / bytesTotal : null,
      `checking ${file}: ${formatBytes(bytesDone)} of ${formatBytes(bytesTotal)}`,
    );
  let bundle: string;
  let modelDir: string;
  let manifest: ExportManifest;
  let checked: { files: number; bytes: number };
  if (bundleFormat(params.path) === "zip") {
    bundle = path.resolve(params.path);
    modelDir = context.tempPath("extracted");
    ({ manifest, ...checked } = await checkZipBundle(bundle, {
      signal: context.signal,
      onProgress,
      extractModelTo: modelDir,
    }));
  } else {
    bundle = modelDir = bundleDirOf(params.path);
    manifest = await readBundleManifest(bundle);
    checked = await checkBundleFiles(bundle, manifest, { signal: context.signal, onProgress });
  }
  context.signal.throwIfAborted();
  context.progress(0.9, `loading ${manifest.entry}`);
  const { llama } = await loadNative({ gpu: "cpu" });
  const started = process.hrtime.bigint();
  const model = await llama.loadModel({
    modelPath: path.join(modelDir, ...manifest.entry.split("/")),
    gpuLayers: 0,
  });
  try {
    const loadMs = Number(process.hrtime.bigint() - started) / 1e6;
    const ctx = await model.createContext({ contextSize: 256, sequences: 1 });
    try {
      const bos = model.tokens.bos;
      const prompt = model.tokenize(probePrompt);
      const input = bos !== null && model.tokens.shouldPrependBosToken ? [bos, ...prompt] : prompt;
      let firstToken = "";
      for await (const token of ctx.getSequence().evaluate(input, { temperature: 0, yieldEogToken: true })) {
        firstToken = model.detokenize([token]);
        break;
      }
      context.progress(1, "done");
      return {
        path: bundle,
        schemaVersion: manifest.schemaVersion,
        filesChecked: checked.files,
        bytesChecked: checked.bytes,
        model: { entry: manifest.entry, loadMs, loadedBytes: model.size, firstToken },
      };
    } finally {
      await ctx.dispose();
    }
  } finally {
    await model.dispose();
  }
});
