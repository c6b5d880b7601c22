// `cwb export --out FILE.zip` and `cwb export verify FILE.zip` through real CLI processes: the
// archive is read back by independent readers (Info-ZIP's `unzip -t`, Python's zipfile), its entries
// are the manifest's files with their sha256 and the scripts keep their executable bit; verify checks
// every entry and loads the model; a byte flipped inside an entry is refused naming the entry.
// writeZip's ZIP64 end records (more than 65,535 entries) are read back by both readers too.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeZip } from "../../src/core/export/zip/writeZip.js";
import { exportManifest } from "../../src/shared/domain/exportManifest.js";
import { buildNode, runCwb } from "../cli/runCwb.js";
import { referenceBuildTimeoutMs, referenceModelPath } from "../helpers/referenceModel.js";

const work = mkdtempSync(path.join(os.tmpdir(), "cwb-export-zip-"));
const dataDir = path.join(work, "data");
const archive = path.join(work, "bundle.zip");
let model = "";

beforeAll(async () => {
  model = await referenceModelPath();
  buildNode();
}, referenceBuildTimeoutMs);
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Python's zipfile: each entry's name, size, sha256, Unix mode and data offset. */
function pythonEntries(
  file: string,
): { name: string; size: number; sha256: string; mode: number; dataAt: number }[] {
  const script = [
    "import hashlib, json, struct, sys, zipfile",
    "z = zipfile.ZipFile(sys.argv[1])",
    "bad = z.testzip()",
    "assert bad is None, bad",
    "raw = open(sys.argv[1], 'rb')",
    "out = []",
    "for i in z.infolist():",
    "    raw.seek(i.header_offset + 26)",
    "    n, e = struct.unpack('<HH', raw.read(4))",
    "    out.append(dict(name=i.filename, size=i.file_size, sha256=hashlib.sha256(z.read(i)).hexdigest(),",
    "                    mode=i.external_attr >> 16, dataAt=i.header_offset + 30 + n + e))",
    "print(json.dumps(out))",
  ].join("\n");
  const run = spawnSync("python3", ["-c", script, file], { encoding: "utf8", maxBuffer: 64 << 20 });
  if (run.status !== 0) throw new Error(`python3 zipfile refused ${file}:\n${run.stderr}`);
  return JSON.parse(run.stdout) as ReturnType<typeof pythonEntries>;
}

describe("cwb export to a zip", () => {
  it("writes a stored zip that unzip and Python's zipfile read back whole, leaving no staging folder", async () => {
    const run = await runCwb([
      "--data-dir",
      dataDir,
      "export",
      model,
      "--out",
      archive,
      "--split-max-size",
      "3M",
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(readdirSync(work).filter((name) => name.includes("cwb-partial"))).toEqual([]);

    const unzip = spawnSync("unzip", ["-t", archive], { encoding: "utf8" });
    expect(unzip.status, unzip.stdout + unzip.stderr).toBe(0);
    expect(unzip.stdout).toContain("No errors detected");

    const entries = pythonEntries(archive);
    const manifestEntry = entries.find((e) => e.name === "manifest.json")!;
    const extracted = spawnSync("unzip", ["-p", archive, "manifest.json"], { encoding: "utf8" }).stdout;
    expect(createHash("sha256").update(extracted).digest("hex")).toBe(manifestEntry.sha256);
    const manifest = exportManifest.parse(JSON.parse(extracted));
    expect(manifest.split?.count).toBeGreaterThan(2);
    expect(entries.map((e) => e.name).sort()).toEqual(
      ["manifest.json", ...manifest.files.map((f) => f.path)].sort(),
    );
    for (const file of manifest.files) {
      const entry = entries.find((e) => e.name === file.path)!;
      expect({ size: entry.size, sha256: entry.sha256 }).toEqual({ size: file.bytes, sha256: file.sha256 });
    }
    expect(entries.find((e) => e.name === "bench-on-device.sh")!.mode & 0o777).toBe(0o755);
  }, 300_000);

  it("verifies the zip: every entry's size, CRC-32 and sha256, then llama.cpp loads the first shard", async () => {
    const run = await runCwb(["--data-dir", dataDir, "--json", "export", "verify", archive]);
    expect(run.code, run.stderr).toBe(0);
    const verified = JSON.parse(run.stdout) as {
      path: string;
      filesChecked: number;
      model: { firstToken: string };
    };
    expect(verified.path).toBe(archive);
    expect(verified.filesChecked).toBeGreaterThan(5);
    expect(verified.model.firstToken.length).toBeGreaterThan(0);
  }, 300_000);

  it("refuses a zip with one byte flipped inside an entry, naming the archive and the entry", async () => {
    const copy = path.join(work, "flipped.zip");
    writeFileSync(copy, readFileSync(archive));
    const shard = pythonEntries(copy).find((e) => /-00002-of-\d{5}\.gguf$/.test(e.name))!;
    const at = shard.dataAt + 100_000;
    const fd = openSync(copy, "r+");
    writeSync(fd, Buffer.from([readFileSync(copy)[at]! ^ 1]), 0, 1, at);
    const run = await runCwb(["--data-dir", dataDir, "export", "verify", copy]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`${copy}:${shard.name}: altered`);
  }, 120_000);
});

describe("writeZip", () => {
  it("writes ZIP64 end records past 65,535 entries, which unzip and Python's zipfile read", async () => {
    const dir = path.join(work, "many");
    mkdirSync(dir);
    const count = 65_540;
    const sources = Array.from({ length: count }, (_, i) => {
      const file = path.join(dir, String(i));
      writeFileSync(file, String(i));
      return { name: `f/${i}.txt`, file };
    });
    const target = path.join(work, "many.zip");
    const written = await writeZip(target, sources);
    expect(written.entries).toHaveLength(count);
    const tail = readFileSync(target).subarray(-98);
    expect(tail.readUInt32LE(0)).toBe(0x06064b50); // ZIP64 end of central directory record
    const unzip = spawnSync("unzip", ["-tq", target], { encoding: "utf8", maxBuffer: 64 << 20 });
    expect(unzip.status, unzip.stderr).toBe(0);
    const entries = pythonEntries(target);
    expect(entries).toHaveLength(count);
    expect(entries[65_539]).toMatchObject({ name: "f/65539.txt", size: 5 });
  }, 300_000);
});
