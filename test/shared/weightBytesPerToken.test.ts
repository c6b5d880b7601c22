import { describe, expect, it } from "vitest";
import { weightBytesPerToken } from "../../src/shared/metrics/weightBytesPerToken.js";

describe("weightBytesPerToken", () => {
  it("leaves out lookup tables when the model has its own output matrix", () => {
    const tensors = [
      { name: "token_embd.weight", bytes: 1000 },
      { name: "position_embd.weight", bytes: 50 },
      { name: "blk.0.attn_q.weight", bytes: 100 },
      { name: "blk.0.ffn_up.weight", bytes: 300 },
      { name: "output_norm.weight", bytes: 4 },
      { name: "output.weight", bytes: 1000 },
    ];
    // 100 + 300 + 4 + 1000: the embedding and position tables are only looked up.
    expect(weightBytesPerToken(tensors)).toBe(1404);
  });
  it("counts the token embedding when it doubles as the output projection (tied embeddings)", () => {
    const tensors = [
      { name: "token_embd.weight", bytes: 1000 },
      { name: "blk.0.attn_q.weight", bytes: 100 },
      { name: "output_norm.weight", bytes: 4 },
    ];
    expect(weightBytesPerToken(tensors)).toBe(1104);
  });
  it("is zero for no tensors", () => {
    expect(weightBytesPerToken([])).toBe(0);
  });
});
