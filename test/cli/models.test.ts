// The real `cwb` binary: exit codes, --json output on stdout, errors on stderr naming the file.
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../src/headless/cli/main.js";
import { writeNotGguf, writeTinyGguf, writeTruncatedCopy, type TinyGgufInfo } from "../helpers/gguf.js";
import { buildNode, repoRoot, runCwb } from "./runCwb.js";

let dir: string;
let dataDir: string;
let tiny: TinyGgufInfo;

beforeAll(() => {
  buildNode();
  dir = mkdtempSync(path.join(os.tmpdir(), "cwb-cli-"));
  dataDir = path.join(dir, "data");
  tiny = writeTinyGguf(path.join(dir, "tiny.gguf"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cwb = (...args: string[]) => runCwb(["--data-dir", dataDir, ...args]);

describe("cwb", () => {
  it("prints its version", async () => {
    const version = (
      JSON.parse(readFileSync(path.join(repoRoot, "package.json"), "utf8")) as { version: string }
    ).version;
    const result = await runCwb(["--version"]);
    expect(result).toMatchObject({ code: 0, stdout: `${version}\n` });
  });

  it("fails with exit code 1 on an unknown command", async () => {
    const result = await runCwb(["frobnicate"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("unknown command 'frobnicate'");
  });
});

describe("cwb models", () => {
  it("imports a model with progress on stderr and the record as JSON on stdout", async () => {
    const result = await cwb("models", "import", tiny.path, "--json", "--progress");
    expect(result.code, result.stderr).toBe(0);
    const parsed = JSON.parse(result.stdout) as {
      model: { id: string; path: string; metadata: { layers: number; tensors: unknown[] } };
      alreadyPresent: boolean;
    };
    expect(parsed.alreadyPresent).toBe(false);
    expect(parsed.model.path).toBe(tiny.path);
    expect(parsed.model.metadata.layers).toBe(2);
    expect(parsed.model.metadata.tensors).toHaveLength(tiny.tensorCount);
    // It ran as a "models.import" job, whose progress went to stderr: its start and its end. (A line
    // in the middle of hashing 234 kB depends on the machine's speed; the hashing progress itself
    // is asserted in test/library/import.test.ts.)
    expect(result.stderr).toMatch(/^Import model\s+(starting|waiting to start|\d+\.\d %)/m);
    expect(result.stderr).toMatch(/Import model\s+100\.0 %/);
    expect(existsSync(path.join(dataDir, "workbench.sqlite"))).toBe(true);
  });

  it("recognises the same file again", async () => {
    const result = await cwb("models", "import", tiny.path);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Already in the library as [0-9a-f]{12}\n/);
    expect(result.stderr).toBe(""); // no progress when stderr is not a terminal
  });

  it("lists, as a table and as JSON (options after the command work too)", async () => {
    const human = await cwb("models", "list");
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^ID\s+FILE\s+ARCH\s+PARAMS\s+TYPE\s+BPW\s+SIZE/);
    expect(human.stdout).toMatch(/[0-9a-f]{12}\s+tiny\.gguf\s+llama\s+112 K\s+F16\s+16\.05\s+234 kB/);

    const json = await runCwb(["models", "list", "--json", "--data-dir", dataDir]);
    const rows = JSON.parse(json.stdout) as { fileName: string; metadata: Record<string, unknown> }[];
    expect(rows.map((r) => r.fileName)).toEqual(["tiny.gguf"]);
    expect(rows[0]!.metadata).not.toHaveProperty("tensors");
  });

  it("shows metadata and the tensor table", async () => {
    const human = await cwb("models", "show", "tiny.gguf");
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/heads \/ kv heads:\s+4 \/ 2/);
    expect(human.stdout).toMatch(/TENSOR\s+TYPE\s+SHAPE\s+BYTES/);
    expect(human.stdout).toMatch(/blk\.1\.ffn_down\.weight\s+F16\s+128 × 64\s+16\.4 kB/);

    const json = await cwb("--json", "models", "show", "tiny.gguf");
    expect((JSON.parse(json.stdout) as { metadata: { tensors: unknown[] } }).metadata.tensors).toHaveLength(
      tiny.tensorCount,
    );
  });

  it("refuses a truncated file: exit 1, stderr names the file and problem, library unchanged", async () => {
    const cut = path.join(dir, "cut.gguf");
    writeTruncatedCopy(tiny.path, cut);
    const result = await cwb("models", "import", cut, "--json");
    expect(result.code).toBe(1);
    // --json describes the failed job on stdout; the reason, naming the file, is also on stderr.
    expect(JSON.parse(result.stdout)).toMatchObject({
      kind: "models.import",
      state: "failed",
      error: expect.stringContaining(cut),
    });
    expect(result.stderr).toContain(cut);
    expect(result.stderr).toMatch(/truncated/);
    const list = JSON.parse((await cwb("models", "list", "--json")).stdout) as unknown[];
    expect(list).toHaveLength(1);
  });

  it("refuses a file that is not GGUF", async () => {
    const text = path.join(dir, "readme.gguf");
    writeNotGguf(text);
    const result = await cwb("models", "import", text);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      new RegExp(`${text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: not a GGUF model file`),
    );
  });

  it("fails on an unknown model id", async () => {
    const result = await cwb("models", "show", "doesnotexist");
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('No model "doesnotexist"');
  });

  it("removes a model, keeping the file unless --delete-file", async () => {
    const keep = await cwb("models", "remove", "tiny.gguf", "--json");
    expect(keep.code).toBe(0);
    expect(JSON.parse(keep.stdout)).toMatchObject({ removed: true, fileDeleted: false, path: tiny.path });
    expect(existsSync(tiny.path)).toBe(true);

    const copy = path.join(dir, "disposable.gguf");
    copyFileSync(tiny.path, copy);
    expect((await cwb("models", "import", copy)).code).toBe(0);
    const gone = await cwb("models", "rm", "disposable.gguf", "--delete-file");
    expect(gone.code).toBe(0);
    expect(gone.stdout).toContain(`Deleted ${copy}`);
    expect(existsSync(copy)).toBe(false);
    expect(JSON.parse((await cwb("models", "list", "--json")).stdout)).toEqual([]);
  });

  it("uses $CWB_DATA_DIR when there is no --data-dir", async () => {
    const envDir = path.join(dir, "from-env");
    const result = await runCwb(["models", "import", tiny.path, "--json"], { env: { CWB_DATA_DIR: envDir } });
    expect(result.code).toBe(0);
    expect(existsSync(path.join(envDir, "workbench.sqlite"))).toBe(true);
    expect(existsSync(path.join(envDir, "models"))).toBe(true);
  });
});

describe("main() in-process", () => {
  it("returns exit codes instead of exiting and writes to the given streams", async () => {
    const capture = (): { stream: Writable; text: () => string } => {
      let text = "";
      const stream = new Writable({
        write(chunk: Buffer, _encoding, callback) {
          text += chunk.toString();
          callback();
        },
      });
      return { stream, text: () => text };
    };
    const out = capture();
    const err = capture();
    const inProcessDir = path.join(dir, "in-process");
    expect(
      await main(["--data-dir", inProcessDir, "--json", "models", "list"], {
        stdout: out.stream,
        stderr: err.stream,
      }),
    ).toBe(0);
    expect(JSON.parse(out.text())).toEqual([]);
    expect(
      await main(["--data-dir", inProcessDir, "models", "show", "x"], {
        stdout: out.stream,
        stderr: err.stream,
      }),
    ).toBe(1);
    expect(err.text()).toContain('cwb: error: No model "x"');
  });
});
