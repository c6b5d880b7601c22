// What every command gets: the parsed global options, the output, and the workbench, opened on
// first use (so `cwb --help` never creates a data dir) and closed by main() when the command ends.
import { dataPaths, resolveDataDir } from "../../core/paths.js";
import { databaseDiskFullError } from "../../core/store/databaseDiskFull.js";
import { Workbench } from "../../core/workbench.js";
import { Output, type OutputStreams } from "./output.js";

export interface GlobalOptions {
  dataDir?: string;
  json?: boolean;
  progress?: boolean;
}

export class CliContext {
  readonly output: Output;
  globals: GlobalOptions = {};
  #workbench: Workbench | undefined;
  /** A command that finished without succeeding sets this instead of throwing. */
  exitCode = 0;

  constructor(streams: OutputStreams) {
    this.output = new Output(streams);
  }

  /** Called once the command line is parsed, before the command's action runs. */
  configure(globals: GlobalOptions): void {
    this.globals = globals;
    this.output.options = { json: globals.json ?? false, progress: globals.progress };
  }

  workbench(): Workbench {
    this.#workbench ??= Workbench.open({ dataDir: this.globals.dataDir ?? null, transport: "ipc" });
    return this.#workbench;
  }

  /** The error to report: a full disk under the database is named as such rather than as SQLite's "disk I/O error". */
  explain(error: unknown): unknown {
    return (
      databaseDiskFullError(error, dataPaths(resolveDataDir(this.globals.dataDir ?? null)).database) ?? error
    );
  }

  close(): void {
    this.#workbench?.close();
    this.#workbench = undefined;
  }
}
