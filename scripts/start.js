#!/usr/bin/env node
// `npm start`: the Electron app when its binary is installed, otherwise the headless UI server
// (the Electron download is optional, so machines without it still get a working workbench).
// Extra arguments (`npm start -- --data-dir DIR`) are passed on to the app.
import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chooseStartCommand, ensureElectronBinary } from "./electronBinary.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const extra = process.argv.slice(2);
const plan = chooseStartCommand(ensureElectronBinary());
if (plan.notice) console.error(`[cwb start] ${plan.notice}`);

const [program, ...args] = plan.command;
const isWindows = process.platform === "win32";
const executable =
  program === "node"
    ? process.execPath
    : path.join(root, "node_modules", ".bin", isWindows ? `${program}.cmd` : program);
// forge passes arguments after "--" to Electron; the CLI takes them directly.
const finalArgs =
  plan.mode === "electron" && extra.length > 0 ? [...args, "--", ...extra] : [...args, ...extra];

const child = spawn(executable, finalArgs, {
  cwd: root,
  stdio: "inherit",
  shell: isWindows && program !== "node",
});
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
child.on("exit", (code, signal) => {
  process.exitCode = code ?? (signal ? 1 : 0);
});
child.on("error", (error) => {
  console.error(`[cwb start] could not run ${executable}: ${error.message}`);
  process.exitCode = 1;
});
