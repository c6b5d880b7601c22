// A full disk under the data dir or under an output: the CLI says it is the disk (not SQLite's
// "disk I/O error"), leaves nothing behind, and works again once space is freed. Needs root to
// mount a small tmpfs; skipped with a message otherwise.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { cliOutcome } from "../../bench/fuzz/fuzzOutcome.js";
import { writeTinyGguf } from "../helpers/gguf.js";
import { makeRandomModel } from "../quantize/fixtures.js";
import { assertBuilt } from "../helpers/servedApp.js";

const work = mkdtempSync(path.join(os.tmpdir(), "cwb-full-disk-"));
const disk = path.join(work, "disk");
let mounted = false;

beforeAll(() => {
  assertBuilt();
  mkdirSync(disk);
  const mount = spawnSync("mount", ["-t", "tmpfs", "-o", "size=8m", "tmpfs", disk], { encoding: "utf8" });
  mounted = mount.status === 0;
  if (!mounted) console.warn(`skipped: mounting an 8 MiB tmpfs was refused (${mount.stderr.trim()})`);
});

afterAll(() => {
  if (mounted) spawnSync("umount", [disk]);
  rmSync(work, { recursive: true, force: true });
});

/** Fills the disk to the last byte. */
function fill(): string {
  const filler = path.join(disk, "filler");
  spawnSync("dd", ["if=/dev/zero", `of=${filler}`, "bs=64k"], { encoding: "utf8" });
  return filler;
}

it("names a full disk under the database, leaves nothing, and works once space is freed", async () => {
  if (!mounted) return;
  const model = writeTinyGguf(path.join(work, "tiny.gguf"), { seed: 9 }).path;
  const dataDir = path.join(disk, "data");
  expect((await cliOutcome(["--data-dir", dataDir, "models", "list"])).outcome).toEqual({
    verdict: "accepted",
  });
  const filler = fill();

  const refused = await cliOutcome(["--data-dir", dataDir, "models", "import", model]);
  expect(refused.outcome).toMatchObject({ verdict: "refused" });
  expect(refused.outcome.verdict === "refused" && refused.outcome.message).toMatch(
    /the database .*workbench\.sqlite cannot be written: its disk is full/,
  );
  expect(readdirSync(path.join(dataDir, "models"))).toEqual([]);
  expect(readdirSync(path.join(dataDir, "tmp"))).toEqual([]);

  rmSync(filler);
  const imported = await cliOutcome(["--data-dir", dataDir, "--json", "models", "import", model]);
  expect(imported.outcome).toEqual({ verdict: "accepted" });
  const integrity = spawnSync(
    process.execPath,
    [
      "-e",
      `const D=require("better-sqlite3");console.log(new D(${JSON.stringify(path.join(dataDir, "workbench.sqlite"))}).pragma("integrity_check",{simple:true}))`,
    ],
    { encoding: "utf8", cwd: path.resolve(import.meta.dirname, "..", "..") },
  );
  expect(integrity.stdout.trim()).toBe("ok");
}, 60_000);

it("refuses a quantize whose output disk is full before writing, and leaves nothing there", async () => {
  if (!mounted) return;
  const model = writeTinyGguf(path.join(work, "tiny-q.gguf"), { seed: 10 }).path;
  const dataDir = path.join(work, "data-elsewhere");
  const filler = fill();
  const out = path.join(disk, "out.gguf");
  const refused = await cliOutcome([
    "--data-dir",
    dataDir,
    "quantize",
    model,
    "--type",
    "Q8_0",
    "--out",
    out,
  ]);
  expect(refused.outcome).toMatchObject({ verdict: "refused" });
  expect(refused.outcome.verdict === "refused" && refused.outcome.message).toMatch(
    /not enough disk space in /,
  );
  expect(readdirSync(disk).filter((name) => name !== "filler" && name !== "data")).toEqual([]);
  rmSync(filler);
}, 60_000);

it("names a disk that fills up during a quantize's write, removes the partial file, keeps earlier variants", async () => {
  if (!mounted) return;
  // The output's disk has room, so the space check passes; the job's temp folder under the data dir
  // (on the 8 MiB disk) fills while llama.cpp writes the 11 MiB F16 file.
  const model = await makeRandomModel(path.join(work, "random-f32.gguf"), { layers: 4 });
  const dataDir = path.join(disk, "data-mid-write");
  const outDir = path.join(work, "outputs");
  mkdirSync(outDir);
  const cwb = (...args: string[]) => cliOutcome(["--data-dir", dataDir, ...args]);
  const earlier = await cwb("quantize", model, "--type", "Q4_0", "--out", path.join(outDir, "q4.gguf"));
  expect(earlier.outcome).toEqual({ verdict: "accepted" });

  const full = await cwb("quantize", model, "--type", "F16", "--out", path.join(outDir, "f16.gguf"));
  expect(full.outcome).toMatchObject({ verdict: "refused" });
  expect(full.outcome.verdict === "refused" && full.outcome.message).toMatch(
    new RegExp(
      `the disk holding ${path.join(dataDir, "tmp", "job-")}\\w+ filled up while the job was writing there`,
    ),
  );
  expect(readdirSync(path.join(dataDir, "tmp"))).toEqual([]);
  expect(readdirSync(outDir)).toEqual(["q4.gguf"]);

  // The library still has the model and its earlier variant, and the next job that fits works.
  const listed = await cwb("--json", "models", "list");
  expect(listed.outcome).toEqual({ verdict: "accepted" });
  expect((JSON.parse(listed.stdout) as unknown[]).length).toBe(2);
  const next = await cwb("quantize", model, "--type", "Q2_K", "--out", path.join(outDir, "q2.gguf"));
  expect(next.outcome).toEqual({ verdict: "accepted" });
}, 120_000);
