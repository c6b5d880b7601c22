// llama.build, worker half: compiles the bundled llama.cpp for this machine (node-llama-cpp's own
// source build, in a child process group: compileMachineBuild.ts), then links the workbench addon
// to it (scripts/build-native.js). Progress comes from the compiler's step counter; a cancel stops
// the process group and removes the unfinished build folder, so nothing half-built is ever listed.
import { existsSync, readdirSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import { resolveNodeEntry } from "../../core/jobs/workerEntry.js";
import { packageRoot } from "../../core/packageRoot.js";
import { nativeBuildDir } from "../../core/llamaBuilds/backendManifest.js";
import { machineBuildOptions, sameCmakeOptions } from "../../shared/domain/llamaBuild.js";
import { CodedError } from "../../core/errors.js";
import { defineRunner, type RunnerContext } from "../Runner.js";
import { buildScript, llamaBackendsScript, type LocalBuildFolder } from "../llamaBuild/backendFolders.js";
import { parseCompileProgress } from "../llamaBuild/buildProgress.js";
import { ProcessGroupError, runProcessGroup } from "../llamaBuild/runProcessGroup.js";

/** Share of the progress bar for the compile; the rest is the addon's link. */
const compileShare = 0.9;

export default defineRunner("llama.build", async (params, context) => {
  const cmakeOptions = machineBuildOptions(params.extraCmakeOptions);
  const backends = await llamaBackendsScript();
  const find = (): LocalBuildFolder | undefined =>
    backends.findLocalBuildFolders().find((folder) => sameCmakeOptions(folder.cmakeOptions, cmakeOptions));

  let compileSeconds: number | null = null;
  if (params.rebuild || !find()) {
    const started = Date.now();
    try {
      await compile(cmakeOptions, context);
    } catch (error) {
      removeUnfinishedBuilds(backends.localBuildsDir(), started);
      throw error;
    }
    compileSeconds = (Date.now() - started) / 1000;
  } else context.log("info", "a finished build with these options exists; linking the addon to it");
  const folder = find();
  if (!folder)
    throw new Error("node-llama-cpp finished the build, but no finished build folder has these options");

  context.progress(compileShare, "linking the workbench addon to the new build");
  const linkStarted = Date.now();
  await runStep(process.execPath, [buildScript("build-native.js"), "--quiet"], context, () => undefined);
  const addon = `cwb_native-${folder.id}.node`;
  if (!existsSync(path.join(nativeBuildDir(), addon)))
    throw new Error(`scripts/build-native.js did not link ${addon} to ${folder.binsDir}`);
  context.progress(1, "built");
  return {
    folder: path.basename(path.dirname(folder.binsDir)),
    cmakeOptions,
    compiled: compileSeconds !== null,
    compileSeconds,
    addon,
    addonSeconds: (Date.now() - linkStarted) / 1000,
  };
});

async function compile(cmakeOptions: Record<string, string>, context: RunnerContext): Promise<void> {
  const entry = resolveNodeEntry(import.meta.url, ["..", "llamaBuild", "compileMachineBuild"]);
  context.progress(0, "preparing the llama.cpp source");
  await runStep(
    process.execPath,
    [...entry.execArgv, entry.entryPath, JSON.stringify(cmakeOptions)],
    context,
    (line) => {
      const progress = parseCompileProgress(line);
      if (progress)
        context.progress(
          progress.fraction * compileShare,
          `compiling llama.cpp${progress.detail ? ` (${progress.detail})` : ""}`,
        );
      else if (/^-- /.test(line)) context.progress(null, "configuring llama.cpp (cmake)");
    },
  );
}

/** One build step; its failure carries the tool's own last lines (the compiler's or cmake's reason). */
async function runStep(
  command: string,
  args: readonly string[],
  context: RunnerContext,
  onLine: (line: string) => void,
): Promise<void> {
  try {
    await runProcessGroup({
      command,
      args,
      cwd: packageRoot(),
      signal: context.signal,
      onLine: (line) => {
        context.log("info", line);
        onLine(line);
      },
    });
  } catch (error) {
    if (!(error instanceof ProcessGroupError)) throw error;
    const reason = error.outputTail.filter((line) => /error|fail|not found|cannot/i.test(line)).slice(-6);
    throw new CodedError(
      "LLAMA_BUILD_FAILED",
      `Compiling llama.cpp failed (${error.message}); the whole output is in the job's log`,
      {
        llamaReason: reason.length > 0 ? reason.join("\n") : null,
        remedies: ["choose-prebuilt-build"],
        cause: error,
      },
    );
  }
}

/**
 * Folders this job started and did not finish (node-llama-cpp writes buildDone.status last), and
 * the lock node-llama-cpp keeps beside one: an interrupted build leaves neither behind.
 */
function removeUnfinishedBuilds(dir: string, since: number): void {
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir)) {
    const folder = path.join(dir, name);
    if (statSync(folder).mtimeMs < since - 1000) continue;
    const lock = name.endsWith(".lock");
    if (lock || !existsSync(path.join(folder, "buildDone.status")))
      rmSync(folder, { recursive: true, force: true });
  }
}
