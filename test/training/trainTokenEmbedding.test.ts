// trainTokenEmbedding: token_embd, which llama.cpp's training skips by name, is trained when asked.
// Only the rows of tokens in the text may move (their gradient is the only non-zero one, and weight
// decay is refused with it); with the setting off, token_embd is byte for byte the one loaded.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadNative } from "../../src/worker/native/loadAddon.js";
import type { CwbNativeAddon } from "../../src/worker/native/AddonTypes.js";
import { vocabularyPath } from "../../src/core/reference/vocabularySource.js";
import { tensorBytes } from "../helpers/ggufTensors.js";

const nCtx = 256;
const nVocab = 1024;
const nEmbd = 64;
let addon: CwbNativeAddon;
let dir: string;
let initPath: string;

// Next-token text over 40 token ids (300..339): the only rows that get a gradient.
const data = Int32Array.from({ length: 2 * nCtx }, (_, i) => 300 + ((i * 7) % 40));
const labels = Int32Array.from(data, (_, i) => data[(i + 1) % data.length]!);
const seen = new Set(data);

beforeAll(async () => {
  ({ addon } = await loadNative());
  dir = mkdtempSync(path.join(os.tmpdir(), "cwb-train-embd-"));
  initPath = path.join(dir, "init.gguf");
  await addon.createModel({
    outPath: initPath,
    vocabPath: vocabularyPath("ggml-vocab-llama-spm.gguf"),
    name: "train-embd-test",
    nVocab,
    nEmbd,
    nFf: 128,
    nLayer: 1,
    nHead: 2,
    nCtx,
    seed: 3,
  });
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function changedRows(trainTokenEmbedding: boolean) {
  const outPath = path.join(dir, `out-${trainTokenEmbedding}.gguf`);
  const result = await addon.train(
    {
      modelPath: initPath,
      outPath,
      data,
      labels,
      nCtx,
      nUbatch: nCtx,
      epochs: 2,
      lr: 1e-2,
      trainTokenEmbedding,
    },
    () => {},
  ).promise;
  const before = (await tensorBytes(initPath)).get("token_embd.weight")!;
  const after = (await tensorBytes(outPath)).get("token_embd.weight")!;
  const rowBytes = nEmbd * 4;
  expect(before.length).toBe(nVocab * rowBytes); // F32, one row per token
  const changed = { seen: 0, unseen: 0 };
  for (let r = 0; r < nVocab; r++) {
    const moved = !before
      .subarray(r * rowBytes, (r + 1) * rowBytes)
      .equals(after.subarray(r * rowBytes, (r + 1) * rowBytes));
    if (moved) changed[seen.has(r) ? "seen" : "unseen"]++;
  }
  return { changed, result };
}

describe("train with trainTokenEmbedding", () => {
  it("moves the rows of the tokens in the text and no other; off, token_embd stays as loaded", async () => {
    const on = await changedRows(true);
    expect(on.changed).toEqual({ seen: seen.size, unseen: 0 });
    expect(on.result.tokenEmbeddingRows).toBe(nVocab);
    expect(on.result.tokenEmbeddingRowsChanged).toBe(seen.size);
    const off = await changedRows(false);
    expect(off.changed).toEqual({ seen: 0, unseen: 0 });
    expect(off.result.tokenEmbeddingRowsChanged).toBe(0);
  }, 60_000);

  it("refuses weight decay with it (decay would shrink the rows of unseen tokens)", () => {
    expect(() =>
      addon.train(
        {
          modelPath: initPath,
          data,
          labels,
          nCtx,
          nUbatch: nCtx,
          weightDecay: 0.1,
          trainTokenEmbedding: true,
        },
        () => {},
      ),
    ).toThrow(/weightDecay 0/);
  });
});
