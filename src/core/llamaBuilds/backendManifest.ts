// The list scripts/build-native.js writes beside the addons (backends.json): which addon file is
// linked to which llama.cpp build folder. Plain JSON: reading it loads no native code, so the app
// process can list the builds too.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { CodedError } from "../errors.js";
import { packageRoot } from "../packageRoot.js";

export interface BackendManifestEntry {
  /** The library folder's id (unique per machine; local builds are prefixed "local-"). */
  id: string;
  gpu: false | string;
  buildType: "prebuilt" | "localBuild";
  release?: string;
  addon: string;
  /** The library folder's last path parts ("linux-x64", "<local build>/Release"); older lists: id. */
  libraryFolder?: string;
  /** A local build's custom cmake options. */
  cmakeOptions?: Record<string, string> | null;
}

export function nativeBuildDir(): string {
  return path.join(packageRoot(), "native", "build", "Release");
}

export function nativeNotBuilt(file: string): CodedError {
  return new CodedError("NATIVE_NOT_BUILT", `The native addon is not built: ${file} is missing`, {
    file,
    remedies: ["rebuild-native"],
  });
}

export function readBackendManifest(): BackendManifestEntry[] {
  const file = path.join(nativeBuildDir(), "backends.json");
  if (!existsSync(file)) throw nativeNotBuilt(file);
  return (JSON.parse(readFileSync(file, "utf8")) as { backends: BackendManifestEntry[] }).backends;
}
