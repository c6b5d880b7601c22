// Which llama.cpp produced a file: the release tag node-llama-cpp ships (llama/llama.cpp.info.json)
// plus llama.cpp's upstream commit, the package version and backend. `release` goes into the variants.llama_build column (results
// are comparable per release); the whole object is kept in the recipe.
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { LlamaBuild } from "../../shared/domain/compression.js";

function readJson(file: string): Record<string, unknown> {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
  } catch {
    return {};
  }
}

/** `commit`: llama.cpp's upstream commit as the loaded library reports it (worker: LoadedNative.llamaCommit). */
export function llamaBuildInfo(gpu: false | string = false, commit: string | null = null): LlamaBuild {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.resolve("node-llama-cpp"))), "..");
  const info = readJson(path.join(root, "llama", "llama.cpp.info.json"));
  const pkg = readJson(path.join(root, "package.json"));
  return {
    release: typeof info.tag === "string" ? info.tag : "unknown",
    repository: typeof info.llamaCppGithubRepo === "string" ? info.llamaCppGithubRepo : null,
    nodeLlamaCpp: typeof pkg.version === "string" ? pkg.version : null,
    commit,
    backend: gpu === false ? "cpu" : gpu,
  };
}
