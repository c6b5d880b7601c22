// Versions shown in app.info and `cwb --version`, read from package files so nothing native loads.
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { packageRoot } from "./packageRoot.js";

function readJson(file: string): Record<string, unknown> | null {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
  } catch {
    return null;
  }
}

export function appVersion(): string {
  const version = readJson(path.join(packageRoot(), "package.json"))?.version;
  return typeof version === "string" ? version : "0.0.0";
}

/** node-llama-cpp's version and the llama.cpp release its prebuilt binaries come from. */
export function llamaVersions(): { nodeLlamaCpp: string | null; llamaCppRelease: string | null } {
  try {
    // The package exports no package.json; its entry is <root>/dist/index.js.
    const root = path.resolve(path.dirname(fileURLToPath(import.meta.resolve("node-llama-cpp"))), "..");
    const version = readJson(path.join(root, "package.json"))?.version;
    const release = readJson(path.join(root, "llama", "binariesGithubRelease.json"))?.release;
    return {
      nodeLlamaCpp: typeof version === "string" ? version : null,
      llamaCppRelease: typeof release === "string" ? release : null,
    };
  } catch {
    return { nodeLlamaCpp: null, llamaCppRelease: null };
  }
}
