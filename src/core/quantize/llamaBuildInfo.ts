// Which llama.cpp produced a file: the release tag node-llama-cpp ships (llama/llama.cpp.info.json)
// plus the package version and backend. `release` goes into the variants.llama_build column (results
// are comparable per release); the whole object is kept in the recipe.
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export interface LlamaBuildInfo {
  release: string;
  repository: string | null;
  nodeLlamaCpp: string | null;
  /** "cpu" or the GPU type node-llama-cpp selected in the worker. */
  backend: string;
}

function readJson(file: string): Record<string, unknown> {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
  } catch {
    return {};
  }
}

export function llamaBuildInfo(gpu: false | string = false): LlamaBuildInfo {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.resolve("node-llama-cpp"))), "..");
  const info = readJson(path.join(root, "llama", "llama.cpp.info.json"));
  const pkg = readJson(path.join(root, "package.json"));
  return {
    release: typeof info.tag === "string" ? info.tag : "unknown",
    repository: typeof info.llamaCppGithubRepo === "string" ? info.llamaCppGithubRepo : null,
    nodeLlamaCpp: typeof pkg.version === "string" ? pkg.version : null,
    backend: gpu === false ? "cpu" : gpu,
  };
}
