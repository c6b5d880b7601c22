// `npm run check:platforms` asks the registry for every platform package in the lockfile. It must
// pass on ours, and fail naming the package when an entry names a version that was never published
// (as 3.22.1 of node-llama-cpp's macOS and Windows packages never was) or has no integrity.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "..", "..");
const scratch = mkdtempSync(path.join(os.tmpdir(), "cwb-platforms-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface LockEntry {
  version: string;
  integrity?: string;
  os?: string[];
}
const lock = JSON.parse(readFileSync(path.join(root, "package-lock.json"), "utf8")) as {
  packages: Record<string, LockEntry>;
};

function check(lockfile?: string): { code: number | null; stderr: string } {
  const args = ["scripts/check-platforms.js", ...(lockfile ? ["--lockfile", lockfile] : [])];
  const result = spawnSync(process.execPath, args, { cwd: root, encoding: "utf8", timeout: 120_000 });
  return { code: result.status, stderr: result.stderr };
}

function writeLock(name: string, change: (packages: Record<string, LockEntry>) => void): string {
  const copy = structuredClone(lock);
  change(copy.packages);
  const file = path.join(scratch, name);
  writeFileSync(file, JSON.stringify(copy));
  return file;
}

describe("check:platforms", () => {
  it("locks every desktop platform's prebuilt llama.cpp package", () => {
    const platforms = Object.keys(lock.packages)
      .filter((key) => key.startsWith("node_modules/@node-llama-cpp/"))
      .map((key) => key.slice("node_modules/@node-llama-cpp/".length));
    for (const platform of [
      "mac-arm64-metal",
      "mac-x64",
      "win-x64",
      "win-x64-cuda",
      "win-x64-vulkan",
      "win-arm64",
      "linux-x64",
      "linux-x64-cuda",
      "linux-x64-vulkan",
      "linux-arm64",
    ])
      expect(platforms).toContain(platform);
  });

  it("passes on the project's lockfile", () => {
    const result = check();
    expect(result.stderr).toMatch(/all served by .* as locked/);
    expect(result.code).toBe(0);
  }, 120_000);

  it("fails naming a package locked at a version the registry does not have", () => {
    const file = writeLock("unpublished.json", (packages) => {
      packages["node_modules/@node-llama-cpp/win-x64"]!.version = "3.22.1";
    });
    const result = check(file);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("@node-llama-cpp/win-x64@3.22.1");
    expect(result.stderr).toContain("not published (the registry answers 404)");
    expect(result.stderr).toMatch(/1 of \d+ platform packages/);
  }, 120_000);

  it("fails naming an entry without integrity (written by hand) and one with a wrong integrity", () => {
    const file = writeLock("by-hand.json", (packages) => {
      delete packages["node_modules/@node-llama-cpp/mac-arm64-metal"]!.integrity;
      packages["node_modules/@node-llama-cpp/mac-x64"]!.integrity =
        packages["node_modules/@node-llama-cpp/linux-x64"]!.integrity;
    });
    const result = check(file);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/@node-llama-cpp\/mac-arm64-metal@[\d.]+ .*no integrity in the lockfile/);
    expect(result.stderr).toMatch(
      /@node-llama-cpp\/mac-x64@[\d.]+ .*integrity .* differs from the lockfile's/,
    );
  }, 120_000);
});
