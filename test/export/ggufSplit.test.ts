// Our GGUF split against llama.cpp's own tool (llama-gguf-split, built from the bundled source):
// the shards are byte-identical for a size limit and a tensor-count limit; llama-gguf-split merges
// them back into the original (exactly: see the merge test for the three keys it adds); and
// llama.cpp, given the first shard, computes exactly the same next-token distributions as from the
// original file.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { planFileSplit, writeShards } from "../../src/core/export/splitGguf.js";
import { readGgufLayout } from "../../src/core/library/ggufLayout.js";
import type { SplitLimit } from "../../src/shared/domain/ggufSplit.js";
import { referenceModelPath, referenceBuildTimeoutMs } from "../helpers/referenceModel.js";
import { llamaTools } from "../quantize/fixtures.js";
import { repoRoot } from "../cli/runCwb.js";

const tools = llamaTools();
const work = mkdtempSync(path.join(os.tmpdir(), "cwb-split-"));
let model = "";
/** Built on first use (minutes the first time; cached in native/llama-tools/). */
const toolBuildTimeoutMs = 30 * 60_000;
const ggufSplit = (): string => ("skip" in tools ? "" : tools.ggufSplit);

beforeAll(async () => {
  model = await referenceModelPath();
}, referenceBuildTimeoutMs);
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function ourSplit(limit: SplitLimit, dir: string): Promise<string[]> {
  const shards = await planFileSplit(model, statSync(model).size, limit, "ours");
  await writeShards(model, shards, dir);
  return shards.map((s) => s.fileName);
}

function theirSplit(args: string[], dir: string): string[] {
  execFileSync(ggufSplit(), ["--split", ...args, model, path.join(dir, "theirs")], { stdio: "ignore" });
  return readdirSync(dir)
    .filter((f) => f.startsWith("theirs-"))
    .sort();
}

function nextTokenProbabilities(file: string): unknown {
  const child = spawnSync(
    process.execPath,
    [path.join(repoRoot, "test/export/fixtures/nextTokenProbabilities.mjs"), file],
    {
      cwd: repoRoot,
      encoding: "utf8",
      maxBuffer: 256 << 20,
    },
  );
  if (child.status !== 0) throw new Error(`probabilities of ${file}: ${child.stderr}`);
  return JSON.parse(child.stdout) as unknown;
}

describe.skipIf("skip" in tools)("GGUF split in llama.cpp's format", () => {
  for (const [label, limit, args] of [
    ["3M of tensor data", { by: "size", maxBytes: 3_000_000 }, ["--split-max-size", "3M"]],
    ["10 tensors", { by: "tensors", maxTensors: 10 }, ["--split-max-tensors", "10"]],
  ] as const) {
    it(
      `writes the same bytes as llama-gguf-split for at most ${label} per shard`,
      async () => {
        const dir = mkdtempSync(path.join(work, "same-"));
        const ours = await ourSplit(limit, dir);
        const theirs = theirSplit([...args], dir);
        expect(ours.length).toBeGreaterThan(2);
        expect(ours.map((f) => f.replace(/^ours/, "theirs"))).toEqual(theirs);
        for (const [i, file] of ours.entries())
          expect(
            readFileSync(path.join(dir, file)).equals(readFileSync(path.join(dir, theirs[i]!))),
            file,
          ).toBe(true);
      },
      toolBuildTimeoutMs,
    );
  }

  it("refuses a size limit smaller than one tensor, naming the tensor", async () => {
    await expect(
      planFileSplit(model, statSync(model).size, { by: "size", maxBytes: 1_000_000 }, "x"),
    ).rejects.toMatchObject({
      code: "SPLIT_LIMIT_TOO_SMALL",
      message: expect.stringContaining("token_embd.weight") as unknown,
    });
  });

  it(
    "merges back with llama-gguf-split --merge into the original tensors and metadata",
    async () => {
      const dir = mkdtempSync(path.join(work, "merge-"));
      const [first] = await ourSplit({ by: "size", maxBytes: 3_000_000 }, dir);
      const merged = path.join(dir, "merged.gguf");
      execFileSync(ggufSplit(), ["--merge", path.join(dir, first!), merged], { stdio: "ignore" });
      const original = readFileSync(model);
      const back = readFileSync(merged);
      const a = await readGgufLayout(model, original.length);
      const b = await readGgufLayout(merged, back.length);
      // --merge keeps split.no (0), split.tensors.count and split.count (set to 0) in the merged
      // metadata, so the merged file is the original plus those three keys: everything else, the
      // tensor table and every byte of tensor data, is identical.
      expect(b.kvs.map((kv) => kv.key)).toEqual([
        ...a.kvs.map((kv) => kv.key),
        "split.no",
        "split.tensors.count",
        "split.count",
      ]);
      for (const [i, kv] of a.kvs.entries()) {
        const other = b.kvs[i]!;
        expect(
          back.subarray(other.start, other.end).equals(original.subarray(kv.start, kv.end)),
          kv.key,
        ).toBe(true);
      }
      const table = (layout: typeof a) =>
        layout.tensors.map((t) => ({ ...t, fileOffset: t.fileOffset - layout.dataOffset }));
      expect(table(b)).toEqual(table(a));
      expect(back.subarray(b.dataOffset).equals(original.subarray(a.dataOffset))).toBe(true);
      // Splitting the merged file again gives the very same shards (the split keys are rewritten).
      const again = mkdtempSync(path.join(work, "again-"));
      const shards = await planFileSplit(merged, back.length, { by: "size", maxBytes: 3_000_000 }, "ours");
      await writeShards(merged, shards, again);
      for (const shard of shards)
        expect(
          readFileSync(path.join(again, shard.fileName)).equals(readFileSync(path.join(dir, shard.fileName))),
        ).toBe(true);
    },
    toolBuildTimeoutMs,
  );

  it("loads from the first shard and computes exactly the original's next-token distributions", async () => {
    const dir = mkdtempSync(path.join(work, "logits-"));
    const [first] = await ourSplit({ by: "size", maxBytes: 3_000_000 }, dir);
    const original = nextTokenProbabilities(model) as { tokens: number; rows: [number, number][][] };
    const split = nextTokenProbabilities(path.join(dir, first!));
    expect(original.rows).toHaveLength(original.tokens);
    expect(original.rows[0]!.length).toBe(4096);
    expect(split).toEqual(original);
  }, 120_000);
});
