// Runs the real, built `cwb serve --json` as a child process for server and end-to-end tests, and
// stops it again. Needs `npm run build` first (scripts/test.js does that).
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const cliEntry = path.join(repoRoot, "bin", "cwb.js");

export interface ServedApp {
  readonly url: string;
  readonly token: string;
  readonly port: number;
  readonly origin: string;
  readonly child: ChildProcess;
  /** Everything the server wrote to stderr so far. */
  stderr(): string;
  /** SIGTERM, then waits for the exit code (SIGKILL after 10 s). */
  stop(): Promise<number | null>;
}

export function assertBuilt(): void {
  for (const file of ["dist/node/headless/cli/main.js", "dist/renderer/index.html"]) {
    if (!existsSync(path.join(repoRoot, file)))
      throw new Error(`${file} is missing: run "npm run build" first`);
  }
}

export interface ServedAppOptions {
  /** Default 0: a free port. */
  port?: number;
  /** Default: the server picks a random token. */
  token?: string;
  /** Extra environment for the server process (e.g. the dynamic loader's LD_DEBUG). */
  env?: NodeJS.ProcessEnv;
  /** Flags for the server's own node (e.g. --cpu-prof), not inherited by its workers as NODE_OPTIONS would be. */
  nodeArgs?: string[];
}

export async function startServedApp(dataDir: string, options: ServedAppOptions = {}): Promise<ServedApp> {
  assertBuilt();
  const args = [
    ...(options.nodeArgs ?? []),
    cliEntry,
    "serve",
    "--json",
    "--port",
    String(options.port ?? 0),
    "--data-dir",
    dataDir,
  ];
  if (options.token) args.push("--token", options.token);
  const child = spawn(process.execPath, args, {
    cwd: repoRoot,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, CWB_DATA_DIR: "", ...options.env },
  });
  let stderr = "";
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));

  const first = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    const timer = setTimeout(
      () => reject(new Error(`cwb serve printed nothing within 60 s; stderr:\n${stderr}`)),
      60_000,
    );
    lines.once("line", (line) => {
      clearTimeout(timer);
      resolve(line);
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`cwb serve exited with ${code} before printing its URL; stderr:\n${stderr}`));
    });
  });
  const info = JSON.parse(first) as { url: string; token: string; port: number };
  return {
    ...info,
    origin: new URL(info.url).origin,
    child,
    stderr: () => stderr,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
        const code = await exited;
        clearTimeout(timer);
        return code;
      }
      return child.exitCode;
    },
  };
}
