// Versions shown in app.info and `cwb --version`, read from package files so nothing native loads.
// Read once per process: app.info is called often (a client's liveness check) and resolving a
// package synchronously blocks the event loop (tens of ms under a loader hook), while the installed
// packages cannot change under a running process.
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

let cachedAppVersion: string | undefined;
let cachedLlamaVersions: { nodeLlamaCpp: string | null; llamaCppRelease: string | null } | undefined;

export function appVersion(): string {
  return (cachedAppVersion ??= readAppVersion());
}

function readAppVersion(): string {
  const version = readJson(path.join(packageRoot(), "package.json"))?.version;
  return typeof version === "string" ? version : "0.0.0";
}

/** node-llama-cpp's version and the llama.cpp release its prebuilt binaries come from. */
export function llamaVersions(): { nodeLlamaCpp: string | null; llamaCppRelease: string | null } {
  return (cachedLlamaVersions ??= readLlamaVersions());
}

function readLlamaVersions(): { nodeLlamaCpp: string | null; llamaCppRelease: string | null } {
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
