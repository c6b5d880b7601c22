// The build folders as scripts/llamaBackends.js lists them. The scripts ship only with an
// installation from the source, which is also the only kind that can link the addon to a new build.
import { pathToFileURL } from "node:url";
import { CodedError } from "../../core/errors.js";
import {
  machineBuildScriptPath,
  whyMachineBuildUnavailable,
  type machineBuildScripts,
} from "../../core/llamaBuilds/listLlamaBuilds.js";

export interface LocalBuildFolder {
  id: string;
  binsDir: string;
  cmakeOptions: Record<string, string>;
}

interface LlamaBackendsScript {
  findLocalBuildFolders(): LocalBuildFolder[];
  localBuildsDir(): string;
}

export function buildScript(name: (typeof machineBuildScripts)[number]): string {
  const why = whyMachineBuildUnavailable();
  if (why) throw new CodedError("MACHINE_BUILD_UNAVAILABLE", `${why[0]!.toUpperCase()}${why.slice(1)}`);
  return machineBuildScriptPath(name);
}

export async function llamaBackendsScript(): Promise<LlamaBackendsScript> {
  return (await import(pathToFileURL(buildScript("llamaBackends.js")).href)) as LlamaBackendsScript;
}
