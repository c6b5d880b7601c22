#!/usr/bin/env node
// `npm start`: the Electron app when its binary is installed, otherwise the headless UI server
// (the Electron download is optional, so machines without it still get a working workbench).
// Extra arguments (`npm start -- --data-dir DIR`) are passed on to the app.
import { spawn, spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chooseStartCommand, ensureElectronBinary } from "./electronBinary.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const isWindows = process.platform === "win32";
const extra = process.argv.slice(2);
const plan = chooseStartCommand(ensureElectronBinary());
if (plan.notice) console.error(`[cwb start] ${plan.notice}`);

function executable(program) {
  if (program === "node") return process.execPath;
  if (program === "npm") return isWindows ? "npm.cmd" : "npm";
  return path.join(root, "node_modules", ".bin", isWindows ? `${program}.cmd` : program);
}

for (const [program, ...args] of plan.prepare) {
  const result = spawnSync(executable(program), args, {
    cwd: root,
    stdio: "inherit",
    shell: isWindows && program !== "node",
  });
  if (result.status !== 0) {
    console.error(`[cwb start] ${program} ${args.join(" ")} failed (exit ${result.status ?? result.signal})`);
    process.exit(1);
  }
}

const [program, ...args] = plan.command;
// forge passes arguments after "--" to Electron; the CLI takes them directly.
const finalArgs =
  plan.mode === "electron" && extra.length > 0 ? [...args, "--", ...extra] : [...args, ...extra];
const child = spawn(executable(program), finalArgs, {
  cwd: root,
  stdio: "inherit",
  shell: isWindows && program !== "node",
});
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
child.on("exit", (code, signal) => {
  process.exitCode = code ?? (signal ? 1 : 0);
  if (plan.mode === "electron") warnIfSqliteBuiltForElectron();
});

/** forge rebuilds better-sqlite3 in place for Electron's ABI; the Node CLI and tests then cannot load it. */
function warnIfSqliteBuiltForElectron() {
  const probe = spawnSync(process.execPath, ["-e", 'new (require("better-sqlite3"))(":memory:").close()'], {
    cwd: root,
    encoding: "utf8",
  });
  if (probe.status === 0) return;
  console.error(
    "[cwb start] better-sqlite3 is now built for Electron; run `npm rebuild better-sqlite3` before using the CLI or tests.",
  );
}
child.on("error", (error) => {
  console.error(`[cwb start] could not run ${program}: ${error.message}`);
  process.exitCode = 1;
});
