// The `cwb` command line. bin/cwb.js calls main() and sets the exit code; main never exits the
// process itself, so tests can also run it in-process. A command group is a function that adds
// its subcommands to the program; adding a group is one line in `commandGroups` below.
import { Command, CommanderError } from "commander";
import { appVersion } from "../../core/versions.js";
import { CliContext } from "./context.js";
import { describeErrorForCli } from "./errorWords.js";
import type { OutputStreams } from "./output.js";
import { registerModelsCommands } from "./commands/models.js";
import { registerServeCommands } from "./commands/serve.js";
import { registerJobsCommands } from "./commands/jobs.js";
import { registerEvalCommands } from "./commands/eval.js";
import { registerQuantizeCommands } from "./commands/quantize.js";
import { registerImatrixCommands } from "./commands/imatrix.js";
import { registerLayersCommands } from "./commands/layers.js";
import { registerPruneCommands } from "./commands/prune.js";
import { registerDistillCommands } from "./commands/distill.js";
import { registerDistillDataCommands } from "./commands/distillData.js";
import { registerBenchCommands } from "./commands/bench.js";
import { registerSpeculateCommands } from "./commands/speculate.js";
import { registerReferenceModelCommands } from "./commands/referenceModel.js";
import { registerExperimentsCommands } from "./commands/experiments.js";
import { registerDemoCommands } from "./commands/demo.js";
import { registerLlamaCommands } from "./commands/llama.js";
import { registerDevicesCommands } from "./commands/devices.js";
import { registerResultsCommands } from "./commands/results.js";
import { registerExportCommands } from "./commands/export.js";
import { registerSearchCommands } from "./commands/search.js";

export type CommandGroup = (program: Command, context: CliContext) => void;

const commandGroups: readonly CommandGroup[] = [
  registerModelsCommands,
  registerServeCommands,
  registerJobsCommands,
  registerEvalCommands,
  registerQuantizeCommands,
  registerImatrixCommands,
  registerLayersCommands,
  registerPruneCommands,
  registerDistillCommands,
  registerDistillDataCommands,
  registerBenchCommands,
  registerSpeculateCommands,
  registerReferenceModelCommands,
  registerExperimentsCommands,
  registerDemoCommands,
  registerLlamaCommands,
  registerDevicesCommands,
  registerResultsCommands,
  registerExportCommands,
  registerSearchCommands,
  // A new group: its import above and one line here.
];

export function buildProgram(context: CliContext): Command {
  const program = new Command("cwb")
    .description("Compression Workbench: compress, measure and compare local GGUF models")
    .version(appVersion(), "-V, --version")
    .option("--data-dir <dir>", "data folder (default: $CWB_DATA_DIR, else the app's user-data folder)")
    .option("--json", "print machine-readable JSON on stdout")
    .option("--progress", "show progress on stderr even when it is not a terminal")
    .option("--no-progress", "never show progress")
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride()
    .configureOutput({
      writeOut: (text) => context.output.streams.stdout.write(text),
      writeErr: (text) => context.output.streams.stderr.write(text),
    })
    .hook("preAction", (_program, action) => context.configure(action.optsWithGlobals()));
  for (const register of commandGroups) register(program, context);
  // Subcommands inherit the same output routing and error handling.
  const inherit = (command: Command): void => {
    for (const sub of command.commands) {
      sub
        .exitOverride()
        .configureOutput(program.configureOutput())
        .showHelpAfterError("(run with --help for usage)");
      inherit(sub);
    }
  };
  inherit(program);
  return program;
}

export async function main(
  argv: string[],
  streams: OutputStreams = { stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  const context = new CliContext(streams);
  const program = buildProgram(context);
  try {
    await program.parseAsync(argv, { from: "user" });
    return context.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode; // help/version: 0, usage errors: 1 (already printed)
    context.output.error(describeErrorForCli(context.explain(error)));
    return 1;
  } finally {
    context.close();
  }
}
