// `npm start` picks Electron when its binary is on disk and the headless UI server otherwise; the
// decision is judged from real files in a temporary folder laid out like node_modules/electron.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  chooseStartCommand,
  electronBinaryPath,
  judgeElectronInstall,
} from "../../scripts/electronBinary.js";

const scratch = mkdtempSync(path.join(os.tmpdir(), "cwb-start-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function fakeElectronPackage(name: string, withBinary: boolean): string {
  const dir = path.join(scratch, name, "node_modules", "electron");
  mkdirSync(path.join(dir, "dist"), { recursive: true });
  writeFileSync(path.join(dir, "path.txt"), "electron");
  if (withBinary) writeFileSync(path.join(dir, "dist", "electron"), "#!/bin/sh\n");
  return dir;
}

describe("judgeElectronInstall", () => {
  it("finds the binary named by path.txt", () => {
    const dir = fakeElectronPackage("present", true);
    const result = judgeElectronInstall({ packageDir: dir, pathTxt: "electron\n", exists: existsSync });
    expect(result).toEqual({ ok: true, path: path.join(dir, "dist", "electron") });
  });

  it("reports a package without its binary", () => {
    const dir = fakeElectronPackage("missing-binary", false);
    const result = judgeElectronInstall({ packageDir: dir, pathTxt: "electron", exists: existsSync });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toContain("is missing");
  });

  it("reports a package whose download never happened", () => {
    const result = judgeElectronInstall({
      packageDir: path.join(scratch, "x"),
      pathTxt: null,
      exists: existsSync,
    });
    expect(result).toEqual({ ok: false, reason: "the Electron binary has not been downloaded" });
  });

  it("reports a missing package", () => {
    expect(judgeElectronInstall({ packageDir: null, pathTxt: null, exists: existsSync })).toEqual({
      ok: false,
      reason: "the electron package is not installed",
    });
  });
});

describe("chooseStartCommand", () => {
  it("runs electron-forge when Electron is there", () => {
    expect(chooseStartCommand({ ok: true, path: "/x/electron" })).toEqual({
      mode: "electron",
      prepare: [],
      command: ["electron-forge", "start"],
      notice: null,
    });
  });

  it("serves the UI headless, with a one-line reason, when it is not", () => {
    const plan = chooseStartCommand({ ok: false, reason: "the Electron binary has not been downloaded" });
    expect(plan.mode).toBe("headless");
    // The server serves dist/, so it is rebuilt from the current sources first.
    expect(plan.prepare).toEqual([["npm", "run", "--silent", "build"]]);
    expect(plan.command).toEqual(["node", "bin/cwb.js", "ui"]);
    expect(plan.notice).toBe(
      "Electron is not available (the Electron binary has not been downloaded); serving the UI in your browser instead.",
    );
    expect(plan.notice).not.toContain("\n");
  });
});

describe("electronBinaryPath on this machine", () => {
  it("agrees with what is on disk without downloading anything", () => {
    const result = electronBinaryPath();
    const pathTxt = path.join("node_modules", "electron", "path.txt");
    if (existsSync(pathTxt)) expect(result.ok).toBe(true);
    else expect(result).toEqual({ ok: false, reason: "the Electron binary has not been downloaded" });
  });
});
