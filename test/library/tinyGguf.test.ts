// The test helper's tiny GGUF is a real model: llama.cpp (through node-llama-cpp) loads it,
// tokenizes with its vocabulary and generates tokens.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { writeTinyGguf } from "../helpers/gguf.js";

const dir = mkdtempSync(path.join(os.tmpdir(), "cwb-tiny-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("writeTinyGguf", () => {
  it("is byte-for-byte reproducible per seed, and differs between seeds", () => {
    const a = writeTinyGguf(path.join(dir, "a.gguf"), { seed: 5 });
    const b = writeTinyGguf(path.join(dir, "b.gguf"), { seed: 5 });
    const c = writeTinyGguf(path.join(dir, "c.gguf"), { seed: 6 });
    expect(readFileSync(a.path).equals(readFileSync(b.path))).toBe(true);
    expect(readFileSync(a.path).equals(readFileSync(c.path))).toBe(false);
    expect(a.sizeBytes).toBeLessThan(300_000);
  });

  it("loads in llama.cpp and generates", async () => {
    const tiny = writeTinyGguf(path.join(dir, "tiny.gguf"));
    const { getLlama, LlamaLogLevel } = await import("node-llama-cpp");
    const llama = await getLlama({
      gpu: false,
      build: "never",
      logLevel: LlamaLogLevel.error,
      progressLogs: false,
    });
    try {
      const model = await llama.loadModel({ modelPath: tiny.path });
      expect(model.trainContextSize).toBe(tiny.contextLength);
      expect(model.fileInsights.totalLayers).toBe(tiny.layers + 1);
      const tokens = model.tokenize("the cat sat");
      expect(tokens.length).toBeGreaterThan(0);
      expect(model.detokenize(tokens)).toBe("the cat sat");
      const context = await model.createContext({ contextSize: 64 });
      const generated: number[] = [];
      for await (const token of context.getSequence().evaluate(tokens, { temperature: 0 })) {
        generated.push(token);
        if (generated.length === 4) break;
      }
      expect(generated).toHaveLength(4);
      for (const token of generated) expect(token).toBeLessThan(tiny.vocabularySize);
      await context.dispose();
      await model.dispose();
    } finally {
      await llama.dispose();
    }
  });
});
