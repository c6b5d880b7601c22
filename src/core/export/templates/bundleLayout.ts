// Where things go in a bundle, shared by every file that points at another one.
import { shardFileName, type SplitLimit } from "../../../shared/domain/ggufSplit.js";

export interface BundleLayout {
  /** LM Studio's models-folder layout: <publisher>/<model>/, under models/. */
  modelDir: string;
  /** The model files, in load order (one, or the shards). */
  modelFiles: string[];
  /** What llama.cpp is given: the only file or the first shard. */
  entry: string;
  /** Ollama reads one GGUF: where a merged copy of the shards goes (null when not split). */
  mergedFile: string | null;
}

export function bundleLayout(publisher: string, baseName: string, shardCount: number | null): BundleLayout {
  const modelDir = `models/${publisher}/${baseName}`;
  const modelFiles =
    shardCount === null
      ? [`${modelDir}/${baseName}.gguf`]
      : Array.from({ length: shardCount }, (_, i) => `${modelDir}/${shardFileName(baseName, i, shardCount)}`);
  return {
    modelDir,
    modelFiles,
    entry: modelFiles[0]!,
    mergedFile: shardCount === null ? null : `${baseName}-merged.gguf`,
  };
}

export function describeSplitLimit(limit: SplitLimit): string {
  return limit.by === "size"
    ? `at most ${limit.maxBytes} bytes of tensor data per shard`
    : `at most ${limit.maxTensors} tensors per shard`;
}

/** A word safe inside single quotes in a POSIX shell. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_./:=,-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
