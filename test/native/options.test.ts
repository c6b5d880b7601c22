// Every addon call reads its options through one reader (native/src/options.h): a wrong field is
// refused before any work starts, with the call and the field named.
import { describe, expect, it } from "vitest";
import { loadNative } from "../../src/worker/native/loadAddon.js";
import type { CwbNativeAddon } from "../../src/worker/native/AddonTypes.js";

type Loose = Record<string, (...args: unknown[]) => unknown>;

async function addon(): Promise<Loose> {
  return (await loadNative({ gpu: "cpu" })).addon as CwbNativeAddon as unknown as Loose;
}

describe("addon options", () => {
  it.each([
    [
      "computeImatrix",
      { modelPath: 1, textPath: "t", outPath: "o" },
      /^computeImatrix: modelPath must be a string$/,
    ],
    [
      "quantize",
      { inPath: "i", outPath: "o", ftype: 7, threads: "2" },
      /^quantize: threads must be a number$/,
    ],
    ["quantize", { inPath: "i", outPath: "o" }, /^quantize: ftype must be a llama_ftype number$/],
    ["measureBandwidth", { bufferMiB: 1 }, /^measureBandwidth: bufferMiB must be within 16\.\.65536, got 1/],
    ["train", { modelPath: "m", data: [1, 2], labels: [1, 2] }, /^train: data must be an Int32Array$/],
    [
      "layerImportance",
      { modelPath: "m", textPath: "t", nCtx: "big" },
      /^layerImportance: nCtx must be a number$/,
    ],
    [
      "createModel",
      { outPath: "o", vocabPath: "v", nLayer: -1 },
      /^createModel: nLayer must be a non-negative integer$/,
    ],
    ["engineBench", { modelPath: "m", reps: 0 }, /^engineBench: reps must be within 1\.\./],
    ["evaluate", { modelPath: "m", textPath: "t", flag: 1, nCtx: true }, /^evaluate: nCtx must be a number$/],
    [
      "speculate",
      { targetPath: "t", draftPath: "d", prompts: [[1, 2]], draftMax: [4] },
      /^speculate: prompts must be a non-empty array of Int32Array token lists$/,
    ],
    [
      "speculate",
      { targetPath: "t", draftPath: "d", prompts: [Int32Array.from([1])], draftMax: [4], pMin: 2 },
      /^speculate: pMin must be within 0\.\.1$/,
    ],
  ])("%s refuses %j", async (call, options, message) => {
    const native = await addon();
    expect(() => native[call]!(options)).toThrow(message);
  });
});
