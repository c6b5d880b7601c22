// Reads what the library records about a GGUF file from the project's own header reader
// (ggufLayout.ts), which has also checked that the header and every tensor fit in the file. Nothing
// here loads node-llama-cpp or llama.cpp: this runs in the app process.
import { stat } from "node:fs/promises";
import type { ModelMetadata } from "../../shared/domain/model.js";
import { LibraryError } from "./LibraryError.js";
import { ggmlTypeName } from "./ggmlTypes.js";
import { readGgufLayout, type GgufLayout, type GgufValue } from "./ggufLayout.js";
import { supportedArchitectures } from "./supportedArchitectures.js";
import { llamaFileTypeName } from "../../shared/llamaFileTypes.js";

export interface ModelFileMetadata {
  sizeBytes: number;
  mtimeMs: number;
  layout: GgufLayout;
  metadata: ModelMetadata;
  /** Things worth telling the user that do not stop the import (e.g. architecture unknown to llama.cpp). */
  warnings: string[];
}

/** A count from metadata; per-layer arrays (some architectures vary heads per layer) give their maximum. */
function count(value: GgufValue | undefined): number | null {
  if (typeof value === "bigint") return Number(value);
  if (typeof value === "number" && Number.isFinite(value)) return value;
  if (Array.isArray(value)) {
    const numbers = value.map(count).filter((v): v is number => v !== null);
    return numbers.length > 0 ? Math.max(...numbers) : null;
  }
  return null;
}

/** The length of an array value, decoded or only counted (a vocabulary's tokens are counted). */
function arrayLength(value: GgufValue | undefined): number | null {
  if (Array.isArray(value)) return value.length;
  if (value !== null && typeof value === "object" && "length" in value) return value.length;
  return null;
}

export async function readModelMetadata(
  filePath: string,
  options: { signal?: AbortSignal } = {},
): Promise<ModelFileMetadata> {
  let stats;
  try {
    stats = await stat(filePath);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR")
      throw new LibraryError("NOT_FOUND", `${filePath}: no such file`, filePath);
    throw new LibraryError("IO", `${filePath}: cannot read file: ${(error as Error).message}`, filePath);
  }
  if (!stats.isFile()) throw new LibraryError("NOT_FOUND", `${filePath}: not a regular file`, filePath);
  options.signal?.throwIfAborted();

  const layout = await readGgufLayout(filePath, stats.size);
  const bad = (problem: string): LibraryError =>
    new LibraryError("BAD_METADATA", `${filePath}: impossible GGUF metadata: ${problem}`, filePath);
  if (layout.tensors.length === 0)
    throw bad("the file contains no tensors (a vocabulary-only file is not a model)");

  const value = (key: string): GgufValue | undefined => layout.metadata.get(key);
  const architecture = value("general.architecture");
  if (typeof architecture !== "string" || architecture === "") throw bad("general.architecture is missing");
  const splitCount = count(value("split.count"));
  if (splitCount !== null && splitCount > 1) {
    throw new LibraryError(
      "UNSUPPORTED",
      `${filePath}: part of a model split into ${splitCount} files; merge its parts into one file first (llama.cpp's gguf-split tool does that)`,
      filePath,
    );
  }
  const arch = (key: string): GgufValue | undefined => value(`${architecture}.${key}`);

  // Layers: the architecture's block_count, or the highest blk.N in the tensor names.
  const blockNumbers = layout.tensors
    .map((t) => /^blk\.(\d+)\./.exec(t.name)?.[1])
    .filter((n): n is string => n !== undefined);
  const layers =
    count(arch("block_count")) ?? (blockNumbers.length > 0 ? Math.max(...blockNumbers.map(Number)) + 1 : 0);
  if (!Number.isInteger(layers) || layers < 1)
    throw bad(`${architecture}.block_count is ${layers}; a model needs at least one layer`);
  const maxBlock = blockNumbers.length > 0 ? Math.max(...blockNumbers.map(Number)) : -1;
  if (maxBlock >= layers)
    throw bad(`tensor blk.${maxBlock} exists but ${architecture}.block_count is ${layers}`);

  const heads = count(arch("attention.head_count"));
  const headsKv = count(arch("attention.head_count_kv"));
  const embeddingLength = count(arch("embedding_length"));
  for (const [key, value] of [
    ["attention.head_count", heads],
    ["embedding_length", embeddingLength],
  ] as const) {
    if (value !== null && value <= 0) throw bad(`${architecture}.${key} is ${value}`);
  }
  if (heads !== null && headsKv !== null && headsKv > heads)
    throw bad(`${architecture}.attention.head_count_kv (${headsKv}) exceeds head_count (${heads})`);

  const warnings: string[] = [];
  const trailing = stats.size - layout.dataEnd;
  if (trailing > layout.alignment)
    warnings.push(`${trailing} bytes after the last tensor are not part of the model`);
  const parameterCount = layout.tensors.reduce((sum, t) => sum + t.shape.reduce((a, b) => a * b, 1), 0);
  const architectures = supportedArchitectures();
  if (architectures === null)
    warnings.push(
      "the list of architectures the bundled llama.cpp supports is missing (native build not run)",
    );
  else if (!architectures.has(architecture))
    warnings.push(`architecture "${architecture}" is not supported by the bundled llama.cpp`);

  const vocabularySize = count(arch("vocab_size")) ?? arrayLength(value("tokenizer.ggml.tokens"));
  const chatTemplate = value("tokenizer.chat_template");
  const fileTypeNumber = count(value("general.file_type"));
  const name = value("general.name");
  const tensorBytesTotal = layout.tensors.reduce((sum, t) => sum + t.bytes, 0);

  return {
    sizeBytes: stats.size,
    mtimeMs: stats.mtimeMs,
    layout,
    warnings,
    metadata: {
      architecture,
      name: typeof name === "string" ? name : null,
      parameterCount,
      layers,
      heads,
      headsKv,
      embeddingLength,
      feedForwardLength: count(arch("feed_forward_length")),
      contextLength: count(arch("context_length")),
      vocabularySize,
      fileType: fileTypeNumber === null ? null : llamaFileTypeName(fileTypeNumber),
      bitsPerWeight: parameterCount > 0 ? (tensorBytesTotal * 8) / parameterCount : null,
      chatTemplate: typeof chatTemplate === "string" ? chatTemplate : null,
      tensors: layout.tensors.map((t) => ({
        name: t.name,
        type: ggmlTypeName(t.type),
        shape: t.shape,
        bytes: t.bytes,
      })),
    },
  };
}
