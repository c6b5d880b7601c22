// The addon's llama-bench-method loops (native/src/engineBench.cpp) on the library binaries
// node-llama-cpp selected.
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadNative } from "../../src/worker/native/loadAddon.js";
import { makeRandomModel, makeTempDir, removeDir } from "../quantize/fixtures.js";

let dir: string;
let modelPath: string;
beforeAll(async () => {
  dir = makeTempDir("cwb-engine-bench-");
  modelPath = await makeRandomModel(path.join(dir, "random.gguf"), { layers: 2 });
}, 120_000);
afterAll(() => removeDir(dir));

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

describe("engineBench", () => {
  it("times every repetition of each prompt length and of the generation", async () => {
    const { addon } = await loadNative({ gpu: "cpu" });
    const result = await addon.engineBench({
      modelPath,
      threads: 1,
      promptLengths: [16, 48],
      depth: 24,
      tokens: 16,
      reps: 3,
    }).promise;
    expect(result.prompt.map((p) => p.length)).toEqual([16, 48]);
    for (const p of result.prompt) expect(p.repSeconds).toHaveLength(3);
    expect(result.generation).toHaveLength(3);
    for (const seconds of [...result.prompt.flatMap((p) => p.repSeconds), ...result.generation!])
      expect(seconds).toBeGreaterThan(0);
    expect(result.tokens).toBe(16);
    expect(result.depth).toBe(24);
    // Sized for the longest test (48 tokens), which llama.cpp pads to 256.
    expect(result.contextSize).toBe(256);
    expect(result.threads).toBe(1);
    expect(result.loadMs).toBeGreaterThan(0);
  });

  it("skips generation when asked for no tokens", async () => {
    const { addon } = await loadNative({ gpu: "cpu" });
    const result = await addon.engineBench({ modelPath, threads: 2, promptLengths: [8], tokens: 0, reps: 1 })
      .promise;
    expect(result.generation).toBeNull();
    expect(result.threads).toBe(2);
  });

  it("does one decode per generated token: 16 times the tokens take several times longer", async () => {
    const { addon } = await loadNative({ gpu: "cpu" });
    const run = (tokens: number) =>
      addon.engineBench({ modelPath, threads: 1, tokens, reps: 3, contextSize: 512 }).promise;
    const few = await run(8);
    const many = await run(128);
    expect(sum(many.generation!)).toBeGreaterThan(4 * sum(few.generation!));
  });

  it("refuses a test that does not fit the context, naming the sizes", async () => {
    const { addon } = await loadNative({ gpu: "cpu" });
    await expect(
      addon.engineBench({ modelPath, threads: 1, depth: 300, tokens: 64, contextSize: 256 }).promise,
    ).rejects.toThrow(/the longest test needs 364 tokens but the context holds 256/);
  });

  it("names the model file it cannot load and rejects bad options", async () => {
    const { addon } = await loadNative({ gpu: "cpu" });
    const missing = path.join(dir, "missing.gguf");
    await expect(addon.engineBench({ modelPath: missing }).promise).rejects.toThrow(/missing\.gguf/);
    expect(() => addon.engineBench({ modelPath, tokens: 0 })).toThrow(/nothing to measure/);
    expect(() => addon.engineBench({ modelPath, promptLengths: [0] })).toThrow(/prompt length/);
    expect(() => addon.engineBench({ modelPath, flashAttention: "sometimes" as unknown as "auto" })).toThrow(
      /flashAttention/,
    );
  });

  it("stops when aborted", async () => {
    const { addon } = await loadNative({ gpu: "cpu" });
    const handle = addon.engineBench({ modelPath, threads: 1, tokens: 256, reps: 100_000, contextSize: 512 });
    const started = Date.now();
    setTimeout(() => handle.abort(), 300);
    await expect(handle.promise).rejects.toThrow(/aborted/);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
