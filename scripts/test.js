#!/usr/bin/env node
// The whole test suite, as CI runs it: build everything the tests exercise (the native addon, the
// compiled CLI/worker, the renderer), then run vitest and print one closing summary line.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const npm = process.platform === "win32" ? "npm.cmd" : "npm";

function run(command, args) {
  const started = Date.now();
  const result = spawnSync(command, args, { cwd: root, stdio: "inherit" });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (result.status !== 0) {
    console.error(
      `[test] ${command} ${args.join(" ")} failed (exit ${result.status ?? result.signal}) after ${seconds} s`,
    );
    process.exit(result.status ?? 1);
  }
  console.error(`[test] ${command} ${args.join(" ")}: ok in ${seconds} s`);
}

run(process.execPath, ["scripts/build-native.js", "--quiet"]);
run(npm, ["run", "--silent", "build"]);
run(npm, ["run", "--silent", "typecheck"]);
run(npm, ["run", "--silent", "lint"]);
run(npm, ["run", "--silent", "format:check"]);
// The Electron security checklist, checked by a tool (electronegativity, fetched from the npm registry).
run(npm, ["run", "--silent", "check:electron-security"]);

mkdirSync(path.join(root, "test-results"), { recursive: true });
const report = path.join(root, "test-results", "vitest.json");
const extra = process.argv.slice(2);
const vitest = spawnSync(
  process.execPath,
  [
    path.join(root, "node_modules", "vitest", "vitest.mjs"),
    "run",
    "--reporter=default",
    "--reporter=json",
    `--outputFile.json=${report}`,
    ...extra,
  ],
  { cwd: root, stdio: "inherit" },
);

if (existsSync(report)) {
  const summary = JSON.parse(readFileSync(report, "utf8"));
  const skipped = summary.numPendingTests + summary.numTodoTests;
  console.log(
    `tests: ${summary.numPassedTests} passed, ${summary.numFailedTests} failed, ${skipped} skipped`,
  );
}
process.exit(vitest.status ?? 1);
