// `npm ci` must work from package.json + package-lock.json alone. A lockfile that lacks another
// platform's optional binaries (e.g. written against a registry mirror that does not serve them)
// makes `npm ci` refuse on every machine, so the lockfile is checked the way npm checks it.
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "..", "..");
const scratch = mkdtempSync(path.join(os.tmpdir(), "cwb-npm-ci-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("package-lock.json", () => {
  it("is in sync with package.json for npm ci (dry run, no scripts)", () => {
    copyFileSync(path.join(root, "package.json"), path.join(scratch, "package.json"));
    copyFileSync(path.join(root, "package-lock.json"), path.join(scratch, "package-lock.json"));
    const npm = process.platform === "win32" ? "npm.cmd" : "npm";
    const result = spawnSync(npm, ["ci", "--dry-run", "--ignore-scripts", "--no-audit", "--no-fund"], {
      cwd: scratch,
      encoding: "utf8",
      timeout: 300_000,
    });
    const missing = result.stderr
      .split("\n")
      .filter((line) => line.includes("Missing:") || line.includes("Invalid:"))
      .join("\n");
    expect(missing, "missing lockfile entries: regenerate package-lock.json with npm install").toBe("");
    expect(result.status, result.stderr.slice(-2000)).toBe(0);
  }, 300_000);
});
