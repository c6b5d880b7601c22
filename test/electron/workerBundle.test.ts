// The job worker as the desktop app bundles it (.vite/build/worker.js, built by
// scripts/build-electron.js) runs a real job when started with an IPC channel. Electron starts it
// through utilityWorkerShim.js, which maps process.parentPort onto this same process.send/"message"
// interface; that shim needs the Electron binary and is not exercised here.
import { fork, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "..", "..");
const worker = path.join(root, ".vite", "build", "worker.js");
const scratch = mkdtempSync(path.join(os.tmpdir(), "cwb-worker-bundle-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

beforeAll(() => {
  const result = spawnSync(process.execPath, [path.join(root, "scripts", "build-electron.js")], {
    cwd: root,
    encoding: "utf8",
  });
  if (result.status !== 0)
    throw new Error(`build-electron failed (exit ${result.status}):\n${result.stderr}`);
}, 300_000);

describe("bundled worker", () => {
  it("says ready, runs debug.sleep with progress and returns its result", async () => {
    const child = fork(worker, [], {
      cwd: root,
      stdio: ["ignore", "pipe", "pipe", "ipc"],
      serialization: "json",
    });
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const messages: { type: string; [key: string]: unknown }[] = [];
    const exitCode = await new Promise<number | null>((resolve) => {
      child.on("message", (message: { type: string }) => {
        messages.push(message);
        if (message.type === "ready") {
          child.send({
            type: "start",
            jobId: "job-1",
            kind: "debug.sleep",
            params: { seconds: 0.2 },
            dataDir: scratch,
            tempDir: path.join(scratch, "tmp"),
          });
        }
      });
      child.on("exit", (code) => resolve(code));
    });
    expect(stderr).toBe("");
    expect(exitCode).toBe(0);
    expect(messages[0]).toEqual({ type: "ready" });
    expect(messages.some((message) => message.type === "progress")).toBe(true);
    const result = messages.at(-1);
    expect(result?.type).toBe("result");
    expect((result?.value as { tempFileWritten?: boolean }).tempFileWritten).toBe(true);
  });
});
