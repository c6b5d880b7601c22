// The CI slice of `npm run fuzz:gguf`: 500 seeded mutations of valid GGUF files through the
// library's reader (every one accepted or refused with a code, none throws anything else or hangs),
// and a handful of them, most of which the reader accepts, through the real CLI: import, show and a
// dry-run quantize in a worker (llama.cpp reads the file there). Plus the crashers found so far.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkThroughCli, fuzzSeeds } from "../../bench/fuzz/ggufFuzz.js";
import { ServerFuzzPath } from "../../bench/fuzz/serverFuzzPath.js";
import { cliOutcome, inProcessOutcome, libraryRefusal, OutcomeTable } from "../../bench/fuzz/fuzzOutcome.js";
import { mutateGguf, mutationKinds, type GgufSections } from "../../bench/fuzz/ggufMutator.js";
import { seededRandom } from "../../src/core/bench/randomTokens.js";
import { readModelMetadata } from "../../src/core/library/readModelMetadata.js";
import { assertBuilt } from "../helpers/servedApp.js";
import { writeTinyGguf } from "../helpers/gguf.js";

let workDir: string;
let seeds: GgufSections[];

beforeAll(async () => {
  assertBuilt();
  workDir = mkdtempSync(path.join(os.tmpdir(), "cwb-gguf-fuzz-"));
  seeds = await fuzzSeeds(path.join(workDir, "seeds"));
});

afterAll(() => rmSync(workDir, { recursive: true, force: true }));

describe("the GGUF reader under 500 seeded mutations", () => {
  it("accepts or refuses every file with a code, and never throws anything else or hangs", async () => {
    const random = seededRandom(500);
    const table = new OutcomeTable();
    const kinds = new Set<string>();
    for (let i = 0; i < 500; i++) {
      const mutation = mutateGguf(seeds[i % seeds.length]!, random);
      kinds.add(mutation.kind);
      const file = path.join(workDir, `mutant-${i}.gguf`);
      writeFileSync(file, mutation.bytes);
      const outcome = await inProcessOutcome(() => readModelMetadata(file), libraryRefusal);
      table.add("reader", outcome, file, `${mutation.kind}: ${mutation.detail}`);
      // A refusal names the file it is about.
      if (outcome.verdict === "refused") expect(outcome.message, mutation.detail).toContain(file);
      rmSync(file);
    }
    expect(table.defects).toEqual([]);
    expect([...kinds].sort()).toEqual([...mutationKinds].sort());
    expect(table.count("reader", "refused")).toBeGreaterThan(250);
    expect(table.count("reader", "accepted")).toBeGreaterThan(20);
  });
});

/**
 * The first 2 files the reader accepts and 1 it refuses from one seeded stream (a CLI or server call
 * costs seconds; the bench's --cli-accepted and --server-accepted run these paths at size).
 */
async function chooseMutants(seed: number, prefix: string): Promise<{ file: string; detail: string }[]> {
  const random = seededRandom(seed);
  const chosen: { file: string; detail: string }[] = [];
  const wanted = { accepted: 2, refused: 1 };
  for (let i = 0; chosen.length < 3 && i < 500; i++) {
    const mutation = mutateGguf(seeds[i % seeds.length]!, random);
    const file = path.join(workDir, `${prefix}-${i}.gguf`);
    writeFileSync(file, mutation.bytes);
    const { verdict } = await inProcessOutcome(() => readModelMetadata(file), libraryRefusal);
    if ((verdict === "accepted" || verdict === "refused") && wanted[verdict]-- > 0)
      chosen.push({ file, detail: `${mutation.kind}: ${mutation.detail} (reader: ${verdict})` });
    else rmSync(file);
  }
  return chosen;
}

describe("mutants through the CLI and a worker", () => {
  it("imports, shows and dry-run quantizes what the reader accepts, refuses the rest, and never crashes", async () => {
    const chosen = await chooseMutants(77, "cli");
    const table = new OutcomeTable();
    const dataDir = path.join(workDir, "cli-data");
    for (const { file, detail } of chosen) await checkThroughCli(file, dataDir, table, detail);
    expect(table.defects).toEqual([]);
    expect(
      table.count("cli import", "accepted"),
      `${table.format()}\n${chosen.map((c) => c.detail).join("\n")}`,
    ).toBe(2);
    expect(table.count("cli import", "refused")).toBe(1);
    expect(table.count("worker quantize", "accepted") + table.count("worker quantize", "refused")).toBe(2);
  }, 180_000);
});

describe("mutants through one long-lived server", () => {
  it("imports, shows and quantizes over the WebSocket, refuses the rest, and keeps serving, a worker abort included", async () => {
    const chosen = await chooseMutants(78, "server");
    const table = new OutcomeTable();
    const server = await ServerFuzzPath.start(path.join(workDir, "server-data"));
    try {
      for (const { file, detail } of chosen) await server.check(file, table, detail);
      const summary = `${table.format()}\n${chosen.map((c) => c.detail).join("\n")}`;
      expect(table.defects, summary).toEqual([]);
      expect(table.count("server import", "accepted"), summary).toBe(2);
      expect(table.count("server import", "refused"), summary).toBe(1);
      expect(
        table.count("server quantize Q8_0", "accepted") + table.count("server quantize Q8_0", "refused"),
      ).toBe(2);
      expect(table.count("server alive", "accepted")).toBe(3);

      // A worker that llama.cpp (here: on purpose) aborts is a failed job with its reason.
      const aborted = await server.runJob("debug.sleep", { seconds: 0.2, crash: "abort" });
      expect(aborted.outcome).toMatchObject({
        verdict: "refused",
        message: expect.stringMatching(/SIGABRT/),
      });
      expect(await server.liveness()).toEqual({ verdict: "accepted" });
    } finally {
      expect(await server.close()).toBe(0);
    }
  }, 180_000);
});

describe("model files that carry terminal escape sequences", () => {
  it("never reach the terminal as control characters, in output or in errors", async () => {
    const escapes = "\u001b]0;owned\u0007\u001b[2J\u009b31m";
    const file = writeTinyGguf(path.join(workDir, "escapes.gguf"), { seed: 5, name: `evil${escapes}` }).path;
    const dataDir = path.join(workDir, "escape-data");
    const imported = await cliOutcome(["models", "import", file, "--json", "--data-dir", dataDir]);
    expect(imported.outcome).toEqual({ verdict: "accepted" });
    const id = (JSON.parse(imported.stdout) as { model: { id: string } }).model.id;
    const shown = await cliOutcome(["models", "show", id, "--data-dir", dataDir]);
    expect(shown.stdout).toContain("evil\\u001b]0;owned");
    // eslint-disable-next-line no-control-regex -- finding control characters is the point
    expect(shown.stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    const json = await cliOutcome(["models", "show", id, "--json", "--data-dir", dataDir]);
    expect((JSON.parse(json.stdout) as { metadata: { name: string } }).metadata.name).toBe(`evil${escapes}`);

    // A key whose name carries the escapes, with a value type that does not exist: refused, and
    // the message quoting the key is defused too.
    const bytes = readFileSync(file);
    const key = Buffer.from("general.name");
    const at = bytes.indexOf(key);
    const hostile = Buffer.from(bytes);
    hostile.write("\u001b[2J\u001b[H!", at, "latin1"); // same length as the part it overwrites
    hostile.writeUInt32LE(1000, at + key.length);
    const hostileFile = path.join(workDir, "escapes-in-key.gguf");
    writeFileSync(hostileFile, hostile);
    const refused = await cliOutcome(["models", "import", hostileFile, "--data-dir", dataDir]);
    expect(refused.outcome).toMatchObject({ verdict: "refused" });
    expect(refused.outcome.verdict === "refused" && refused.outcome.message).toContain("\\u001b[2J");
  }, 60_000);
});
