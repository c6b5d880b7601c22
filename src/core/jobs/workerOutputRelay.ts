// What both worker launchers (child_process here, Electron's utilityProcess in src/main) do with a
// worker's pipes: relay stdout/stderr line by line, and report the exit only once both pipes have
// drained, so the last stderr line (often the reason for a crash) is in the log before the job ends.
import { createInterface } from "node:readline";
import type { WorkerExit } from "./WorkerLauncher.js";

export type OutputListener = (line: string, stream: "stdout" | "stderr") => void;

export class WorkerOutputRelay {
  readonly #outputListeners: OutputListener[] = [];
  readonly #exitListeners: ((exit: WorkerExit) => void)[] = [];
  #openStreams = 0;
  #exit: WorkerExit | undefined;
  #finished = false;

  constructor(
    stdout: NodeJS.ReadableStream | null | undefined,
    stderr: NodeJS.ReadableStream | null | undefined,
  ) {
    for (const [stream, name] of [
      [stdout, "stdout"],
      [stderr, "stderr"],
    ] as const) {
      if (!stream) continue;
      this.#openStreams++;
      const lines = createInterface({ input: stream, crlfDelay: Infinity });
      lines.on("line", (line) => {
        for (const listener of this.#outputListeners) listener(line, name);
      });
      lines.on("close", () => {
        this.#openStreams--;
        this.#maybeFinish();
      });
    }
  }

  /** The exit, once known (reported to listeners when the pipes have drained too). */
  get exit(): WorkerExit | undefined {
    return this.#exit;
  }

  onOutput(listener: OutputListener): void {
    this.#outputListeners.push(listener);
  }

  onExit(listener: (exit: WorkerExit) => void): void {
    this.#exitListeners.push(listener);
  }

  exited(exit: WorkerExit): void {
    this.#exit = exit;
    this.#maybeFinish();
  }

  /** The process never started: say why in its output and end now, without waiting for pipes. */
  failedToStart(reason: string): void {
    if (this.#exit !== undefined) return;
    for (const listener of this.#outputListeners) listener(`failed to start worker: ${reason}`, "stderr");
    this.#openStreams = 0;
    this.exited({ code: null, signal: null });
  }

  #maybeFinish(): void {
    if (this.#finished || this.#exit === undefined || this.#openStreams > 0) return;
    this.#finished = true;
    for (const listener of this.#exitListeners) listener(this.#exit);
  }
}
