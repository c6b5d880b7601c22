// Runs the real `cwb` (node bin/cwb.js over the tsc build) as a child process.
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
export const cwbBin = path.join(repoRoot, "bin", "cwb.js");

/**
 * `npm run build:node` (tsc). A type error in someone else's unfinished file makes tsc exit non-zero
 * but it still emits, so the check is that the CLI entry exists afterwards.
 */
export function buildNode(): void {
  const result = spawnSync(
    process.execPath,
    [path.join(repoRoot, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.node.json"],
    {
      cwd: repoRoot,
      encoding: "utf8",
    },
  );
  if (!existsSync(path.join(repoRoot, "dist", "node", "headless", "cli", "main.js"))) {
    throw new Error(`build:node produced no CLI:\n${result.stdout}\n${result.stderr}`);
  }
}

export interface CwbResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** The CLI's own process (its workers are other processes). */
  pid: number;
}

export function runCwb(
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv } = {},
): Promise<CwbResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cwbBin, ...args], {
      cwd: repoRoot,
      env: { ...process.env, CWB_DATA_DIR: "", ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr, pid: child.pid ?? -1 }));
  });
}
