// Runs a build step (a compile, a link) as its own process group, line by line, so that a cancel
// stops the whole tree (cmake, ninja, the compilers) and not only the process we started.
import { spawn, spawnSync } from "node:child_process";
import { createInterface } from "node:readline";

export interface ProcessGroupSpec {
  command: string;
  args: readonly string[];
  cwd: string;
  env?: NodeJS.ProcessEnv;
  signal: AbortSignal;
  onLine(line: string): void;
}

/** Lines kept from the end of the output, for the error when the step fails. */
const tailLines = 40;
/** A cancelled group gets this long to exit on SIGTERM before it is killed. */
const termGraceMs = 3000;

export class ProcessGroupError extends Error {
  constructor(
    message: string,
    readonly outputTail: readonly string[],
  ) {
    super(message);
    this.name = "ProcessGroupError";
  }
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  if (process.platform === "win32") {
    spawnSync("taskkill", ["/pid", String(pid), "/T", "/F"], { stdio: "ignore" });
    return;
  }
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

/** Resolves when the group's leader exits with 0; rejects with the output's tail otherwise. */
export function runProcessGroup(spec: ProcessGroupSpec): Promise<void> {
  spec.signal.throwIfAborted();
  return new Promise((resolve, reject) => {
    const child = spawn(spec.command, [...spec.args], {
      cwd: spec.cwd,
      env: spec.env ?? process.env,
      stdio: ["ignore", "pipe", "pipe"],
      detached: process.platform !== "win32",
      windowsHide: true,
    });
    const tail: string[] = [];
    let open = 2;
    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    let termTimer: NodeJS.Timeout | undefined;

    const onAbort = (): void => {
      if (child.pid === undefined) return;
      killGroup(child.pid, "SIGTERM");
      termTimer = setTimeout(() => child.pid !== undefined && killGroup(child.pid, "SIGKILL"), termGraceMs);
    };
    spec.signal.addEventListener("abort", onAbort, { once: true });

    const finish = (): void => {
      if (exit === undefined || open > 0) return;
      spec.signal.removeEventListener("abort", onAbort);
      clearTimeout(termTimer);
      // The leader may exit before its children: make sure nothing of a cancelled group lingers.
      if (spec.signal.aborted && child.pid !== undefined) killGroup(child.pid, "SIGKILL");
      if (spec.signal.aborted) reject(spec.signal.reason as Error);
      else if (exit.code === 0) resolve();
      else {
        const how = exit.code !== null ? `exited with code ${exit.code}` : `was killed by ${exit.signal}`;
        reject(new ProcessGroupError(`${spec.command} ${how}`, tail));
      }
    };
    for (const stream of [child.stdout, child.stderr]) {
      const lines = createInterface({ input: stream, crlfDelay: Infinity });
      lines.on("line", (line) => {
        tail.push(line);
        if (tail.length > tailLines) tail.shift();
        spec.onLine(line);
      });
      lines.on("close", () => {
        open--;
        finish();
      });
    }
    child.on("error", (error) => {
      exit = { code: null, signal: null };
      open = 0;
      spec.signal.removeEventListener("abort", onAbort);
      reject(error);
    });
    child.on("exit", (code, signal) => {
      exit = { code, signal };
      finish();
    });
  });
}
