// Ctrl+C on `cwb reference-model` cancels its job: the worker stops, the command exits 130, and no
// cache folder, lock or temp file is left behind.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { buildNode, repoRoot } from "../cli/runCwb.js";

let dataDir: string;

beforeAll(() => {
  buildNode();
  dataDir = mkdtempSync(path.join(os.tmpdir(), "cwb-ref-cancel-"));
}, 300_000);

afterAll(() => {
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

it("cancels a build in progress", async () => {
  const child = spawn(
    process.execPath,
    [path.join(repoRoot, "bin", "cwb.js"), "reference-model", "--quick", "--data-dir", dataDir, "--progress"],
    {
      cwd: repoRoot,
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let stderr = "";
  let stdout = "";
  child.stdout.setEncoding("utf8").on("data", (c: string) => (stdout += c));
  const code = await new Promise<number | null>((resolve) => {
    let sent = false;
    child.stderr.setEncoding("utf8").on("data", (c: string) => {
      stderr += c;
      if (!sent && /training step/.test(stderr)) {
        sent = true;
        child.kill("SIGINT");
      }
    });
    child.on("close", (c) => resolve(c));
  });
  expect(stderr).toMatch(/training step/);
  expect(stderr).toMatch(/cancelled/);
  expect(code).toBe(130);
  expect(stdout).toBe("");
  const root = path.join(dataDir, "reference");
  expect(existsSync(root) ? readdirSync(root) : []).toEqual([]);
  const tmp = path.join(dataDir, "tmp");
  expect(existsSync(tmp) ? readdirSync(tmp) : []).toEqual([]);
}, 300_000);
