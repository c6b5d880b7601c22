// The Node implementation of WorkerLauncher: child_process.fork with an IPC channel and piped
// stdout/stderr, so native log lines and crash messages end up in the job's log.
import { fork } from "node:child_process";
import type { WorkerHandle, WorkerLauncher, WorkerSpawnSpec } from "./WorkerLauncher.js";
import { WorkerOutputRelay } from "./workerOutputRelay.js";

export const childProcessLauncher: WorkerLauncher = {
  spawn(spec: WorkerSpawnSpec): WorkerHandle {
    const child = fork(spec.entryPath, [...spec.args], {
      execArgv: [...spec.execArgv],
      env: spec.env,
      cwd: spec.cwd,
      stdio: ["ignore", "pipe", "pipe", "ipc"],
      serialization: "json",
    });
    const relay = new WorkerOutputRelay(child.stdout, child.stderr);
    child.on("exit", (code, signal) => relay.exited({ code, signal }));
    child.on("error", (error) => {
      // Spawn failure: there will be no "exit" if the process never started.
      if (child.pid === undefined) relay.failedToStart(error.message);
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
        relay.onOutput(listener);
      },
      onExit(listener) {
        relay.onExit(listener);
      },
      kill() {
        if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      },
    };
  },
};
