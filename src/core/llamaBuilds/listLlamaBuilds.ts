// The llama.cpp builds this installation can run on (from the addon's backends.json), and whether
// it can compile one for this machine: that needs the source install's build scripts, since the
// addon has to be linked to the new libraries.
import { existsSync } from "node:fs";
import path from "node:path";
import {
  machineBuildCmakeOptions,
  sameCmakeOptions,
  type LlamaBuildInfo,
} from "../../shared/domain/llamaBuild.js";
import { readBackendManifest } from "./backendManifest.js";
import { packageRoot } from "../packageRoot.js";

export interface LlamaBuilds {
  builds: LlamaBuildInfo[];
  /** Null when this installation can build llama.cpp; otherwise why not. */
  cannotBuild: string | null;
}

/** The scripts a machine build runs; shipped only with an installation from the source. */
export const machineBuildScripts = ["llamaBackends.js", "build-native.js"] as const;

export function machineBuildScriptPath(name: (typeof machineBuildScripts)[number]): string {
  return path.join(packageRoot(), "scripts", name);
}

export function whyMachineBuildUnavailable(): string | null {
  const missing = machineBuildScripts.map(machineBuildScriptPath).find((file) => !existsSync(file));
  return missing
    ? `building llama.cpp for this machine needs the workbench installed from its source (npm ci, with cmake and a C++ compiler); ${missing} is missing`
    : null;
}

export function listLlamaBuilds(): LlamaBuilds {
  const builds = readBackendManifest().map((entry): LlamaBuildInfo => ({
    id: entry.id,
    buildType: entry.buildType,
    gpu: entry.gpu === false ? "cpu" : entry.gpu,
    release: entry.release ?? "unknown",
    cmakeOptions: entry.cmakeOptions ?? null,
    isMachineBuild:
      entry.buildType === "localBuild" &&
      sameCmakeOptions(entry.cmakeOptions ?? {}, machineBuildCmakeOptions),
  }));
  return { builds, cannotBuild: whyMachineBuildUnavailable() };
}
