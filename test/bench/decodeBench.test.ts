// The addon's decode-throughput loop (native/src/decodeBench.cpp): llama-bench's tg method on the
// library binaries node-llama-cpp selected.
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadNative } from "../../src/core/native/loadAddon.js";
import { makeRandomModel, makeTempDir, removeDir } from "../quantize/fixtures.js";

let dir: string;
let modelPath: string;
beforeAll(async () => {
  dir = makeTempDir("cwb-decode-bench-");
  modelPath = await makeRandomModel(path.join(dir, "random.gguf"), { layers: 2 });
}, 120_000);
afterAll(() => removeDir(dir));

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

describe("decodeBench", () => {
  it("times every repetition of single-token decodes after an untimed prompt depth", async () => {
    const { addon } = await loadNative(false);
    const result = await addon.decodeBench({ modelPath, threads: 1, depth: 24, tokens: 16, reps: 3 }).promise;
    expect(result.repSeconds).toHaveLength(3);
    expect(result.depthSeconds).toHaveLength(3);
    for (const seconds of [...result.repSeconds, ...result.depthSeconds]) expect(seconds).toBeGreaterThan(0);
    expect(result.tokens).toBe(16);
    expect(result.depth).toBe(24);
    // Sized like llama-bench's context (depth + generated tokens), which llama.cpp pads to 256.
    expect(result.contextSize).toBe(256);
    expect(result.threads).toBe(1);
    expect(result.loadMs).toBeGreaterThan(0);
  });

  it("does one decode per token: 16 times the tokens take several times longer", async () => {
    const { addon } = await loadNative(false);
    const run = (tokens: number) =>
      addon.decodeBench({ modelPath, threads: 1, tokens, reps: 3, contextSize: 512 }).promise;
    const few = await run(8);
    const many = await run(128);
    expect(sum(many.repSeconds)).toBeGreaterThan(4 * sum(few.repSeconds));
  });

  it("refuses a test that does not fit the context, naming the sizes", async () => {
    const { addon } = await loadNative(false);
    await expect(
      addon.decodeBench({ modelPath, threads: 1, depth: 300, tokens: 64, contextSize: 256 }).promise,
    ).rejects.toThrow(/depth 300 \+ 64 tokens do not fit the context of 256/);
  });

  it("names the model file it cannot load and rejects bad options", async () => {
    const { addon } = await loadNative(false);
    const missing = path.join(dir, "missing.gguf");
    await expect(addon.decodeBench({ modelPath: missing }).promise).rejects.toThrow(/missing\.gguf/);
    expect(() => addon.decodeBench({ modelPath, tokens: 0 })).toThrow(/tokens must be at least 1/);
    expect(() => addon.decodeBench({ modelPath, flashAttention: "sometimes" as unknown as "auto" })).toThrow(
      /flashAttention/,
    );
  });

  it("stops when aborted", async () => {
    const { addon } = await loadNative(false);
    const handle = addon.decodeBench({ modelPath, threads: 1, tokens: 256, reps: 100_000, contextSize: 512 });
    const started = Date.now();
    setTimeout(() => handle.abort(), 300);
    await expect(handle.promise).rejects.toThrow(/aborted/);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
