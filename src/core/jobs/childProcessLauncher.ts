// The Node implementation of WorkerLauncher: child_process.fork with an IPC channel and piped
// stdout/stderr, so native log lines and crash messages end up in the job's log.
import { fork } from "node:child_process";
import { createInterface } from "node:readline";
import type { WorkerExit, WorkerHandle, WorkerLauncher, WorkerSpawnSpec } from "./WorkerLauncher.js";

export const childProcessLauncher: WorkerLauncher = {
  spawn(spec: WorkerSpawnSpec): WorkerHandle {
    const child = fork(spec.entryPath, [...spec.args], {
      execArgv: [...spec.execArgv],
      env: spec.env,
      cwd: spec.cwd,
      stdio: ["ignore", "pipe", "pipe", "ipc"],
      serialization: "json",
    });
    const outputListeners: ((line: string, stream: "stdout" | "stderr") => void)[] = [];
    const exitListeners: ((exit: WorkerExit) => void)[] = [];
    let openStreams = 0;
    let exit: WorkerExit | undefined;
    let exited = false;

    // "exit" can come before the pipes are drained; wait for both so the last stderr line (often the
    // reason for a crash) is in the log before the job is finished.
    const maybeFinish = (): void => {
      if (exited || exit === undefined || openStreams > 0) return;
      exited = true;
      for (const listener of exitListeners) listener(exit);
    };
    for (const [stream, name] of [
      [child.stdout, "stdout"],
      [child.stderr, "stderr"],
    ] as const) {
      if (!stream) continue;
      openStreams++;
      const lines = createInterface({ input: stream, crlfDelay: Infinity });
      lines.on("line", (line) => {
        for (const listener of outputListeners) listener(line, name);
      });
      lines.on("close", () => {
        openStreams--;
        maybeFinish();
      });
    }
    child.on("exit", (code, signal) => {
      exit = { code, signal };
      maybeFinish();
    });
    child.on("error", (error) => {
      // Spawn failure: there will be no "exit" if the process never started.
      if (child.pid === undefined && exit === undefined) {
        for (const listener of outputListeners)
          listener(`failed to start worker: ${error.message}`, "stderr");
        exit = { code: null, signal: null };
        openStreams = 0;
        maybeFinish();
      }
    });

    return {
      get pid() {
        return child.pid;
      },
      send(message) {
        if (child.connected) child.send(message, () => undefined);
      },
      onMessage(listener) {
        child.on("message", listener);
      },
      onOutput(listener) {
        outputListeners.push(listener);
      },
      onExit(listener) {
        exitListeners.push(listener);
      },
      kill() {
        if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      },
    };
  },
};
