// How the job queue starts a worker process, independent of the runtime that provides it: Node's
// child_process.fork for the CLI and server (childProcessLauncher.ts), Electron's
// utilityProcess.fork on the desktop (provided by src/main, so core never imports electron).
import type { ParentMessage } from "./workerMessages.js";

export interface WorkerSpawnSpec {
  /** The worker script (dist/node/worker/main.js, or src/worker/main.ts under tsx). */
  readonly entryPath: string;
  /** Runtime flags, e.g. ["--import", "tsx"] when the entry is TypeScript. */
  readonly execArgv: readonly string[];
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  /** Working directory of the worker (the parent's). */
  readonly cwd: string;
}

export interface WorkerExit {
  /** Exit code, or null when a signal ended the process. */
  readonly code: number | null;
  /** e.g. "SIGABRT"; null when the process exited by itself or the runtime does not tell. */
  readonly signal: NodeJS.Signals | null;
}

export interface WorkerHandle {
  readonly pid: number | undefined;
  /** Sends over the IPC channel; silently dropped once the channel is closed. */
  send(message: ParentMessage): void;
  onMessage(listener: (message: unknown) => void): void;
  /** One line of the worker's stdout or stderr (native libraries log there). */
  onOutput(listener: (line: string, stream: "stdout" | "stderr") => void): void;
  /** Called exactly once, after the process is gone and its output drained. */
  onExit(listener: (exit: WorkerExit) => void): void;
  /** Ends the process at once (SIGKILL); no-op when it has already exited. */
  kill(): void;
}

export interface WorkerLauncher {
  spawn(spec: WorkerSpawnSpec): WorkerHandle;
}
