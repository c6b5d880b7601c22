// The tokenizer files that come with the llama.cpp source bundled in node-llama-cpp
// (models/ggml-vocab-*.gguf: real tokenizers without weights), extracted by scripts/llamaSource.js.
import { existsSync } from "node:fs";
import path from "node:path";
import { CodedError } from "../errors.js";
import { packageRoot } from "../packageRoot.js";
import { llamaVersions } from "../versions.js";

export function llamaSourceModelsDir(): string {
  const release = llamaVersions().llamaCppRelease;
  const root = path.join(packageRoot(), "native", "llama-src");
  const dir = release ? path.join(root, release, "models") : null;
  if (dir && existsSync(dir)) return dir;
  throw new CodedError(
    "LLAMA_SOURCE_MISSING",
    `the llama.cpp source (with its tokenizer files) is missing: ${dir ?? root}`,
    { file: dir ?? root, remedies: ["rebuild-native"] },
  );
}

export function vocabularyPath(file: string): string {
  const p = path.join(llamaSourceModelsDir(), file);
  if (!existsSync(p)) throw new Error(`${p}: tokenizer file not found in the llama.cpp source`);
  return p;
}
