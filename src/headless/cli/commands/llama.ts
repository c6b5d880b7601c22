// `cwb llama builds`: the llama.cpp builds runs can use. `cwb llama build [--rebuild] [--cmake K=V]`:
// compiles the bundled llama.cpp for this machine's CPU (a "llama.build" job: progress on stderr,
// Ctrl+C cancels and leaves no half-built folder), after which `--llama-build local` runs on it.
import type { Command } from "commander";
import type { LlamaBuildJobResult } from "../../../shared/domain/llamaBuild.js";
import { formatDuration } from "../../../shared/format.js";
import { listLlamaBuilds } from "../../../core/llamaBuilds/listLlamaBuilds.js";
import type { CliContext } from "../context.js";
import type { Output } from "../output.js";
import { runJobInForeground } from "../runJobInForeground.js";

interface BuildCommandOptions {
  rebuild: boolean;
  cmake: string[];
}

function cmakeOption(value: string, previous: string[]): string[] {
  if (!/^[A-Z][A-Z0-9_]*=.*$/.test(value))
    throw new Error(`--cmake: expected NAME=VALUE with an upper-case cmake option name, got "${value}"`);
  return [...previous, value];
}

export function registerLlamaCommands(program: Command, context: CliContext): void {
  const llama = program.command("llama").description("the llama.cpp builds the workbench runs on");

  llama
    .command("builds")
    .description("list the llama.cpp builds runs can use, prebuilt and compiled for this machine")
    .action(() => {
      const listed = listLlamaBuilds();
      context.output.result(listed, () => {
        context.output.table(listed.builds, [
          { header: "BUILD", value: (build) => build.id },
          {
            header: "TYPE",
            value: (build) =>
              build.buildType === "prebuilt" ? "prebuilt" : build.isMachineBuild ? "this machine" : "local",
          },
          { header: "DEVICE", value: (build) => build.gpu },
          { header: "LLAMA.CPP", value: (build) => build.release },
          {
            header: "CMAKE OPTIONS",
            value: (build) =>
              build.cmakeOptions
                ? Object.entries(build.cmakeOptions)
                    .map(([name, value]) => `${name}=${value}`)
                    .join(" ")
                : "",
          },
        ]);
        if (!listed.builds.some((build) => build.isMachineBuild))
          context.output.note(
            listed.cannotBuild ?? "no build for this machine yet: `cwb llama build` compiles one",
          );
      });
    });

  llama
    .command("build")
    .description(
      "compile the bundled llama.cpp for this machine's CPU (offline; several minutes) and link the addon to it",
    )
    .option("--rebuild", "compile again although a finished build exists", false)
    .option(
      "--cmake <NAME=VALUE>",
      "an extra cmake option (repeatable); such a build is kept apart",
      cmakeOption,
      [],
    )
    .action(async (options: BuildCommandOptions) => {
      const extraCmakeOptions = Object.fromEntries(
        options.cmake.map((pair) => [pair.slice(0, pair.indexOf("=")), pair.slice(pair.indexOf("=") + 1)]),
      );
      await runJobInForeground(
        context,
        "llama.build",
        { rebuild: options.rebuild, extraCmakeOptions },
        { json: (result) => result, human: (result) => printBuild(context.output, result) },
      );
    });
}

function printBuild(output: Output, result: LlamaBuildJobResult): void {
  output.fields([
    ["build", `local-${result.folder}`],
    [
      "cmake options",
      Object.entries(result.cmakeOptions)
        .map(([name, value]) => `${name}=${value}`)
        .join(" "),
    ],
    [
      "compiled",
      result.compileSeconds === null
        ? "no: a finished build was reused"
        : formatDuration(result.compileSeconds),
    ],
    ["addon", `${result.addon} (linked in ${formatDuration(result.addonSeconds)})`],
  ]);
  output.note("run on it with --llama-build local (bench, eval, imatrix, layers, sweep)");
}
