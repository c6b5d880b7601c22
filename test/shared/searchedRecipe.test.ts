import { describe, expect, it } from "vitest";
import { llamaQuantizeCommand, searchedOverrides } from "../../src/shared/domain/searchedRecipe.js";

describe("searchedOverrides", () => {
  it("maps token_embd and output to their own options and every other group to a --tensor-type", () => {
    const overrides = searchedOverrides([
      { name: "token_embd", pattern: "^token_embd\\.weight$", type: "Q4_K" },
      { name: "ffn_down@0", pattern: "^blk\\.(0)\\.ffn_down\\.weight$", type: "Q6_K" },
      { name: "output", pattern: "^output\\.weight$", type: "Q8_0" },
    ]);
    expect(overrides).toEqual({
      tensorTypes: [{ pattern: "^blk\\.(0)\\.ffn_down\\.weight$", type: "Q6_K" }],
      tokenEmbeddingType: "Q4_K",
      outputTensorType: "Q8_0",
    });
    const command = llamaQuantizeCommand("in.gguf", "out dir/o.gguf", "Q4_K_M", overrides, "m.imatrix");
    expect(command).toBe(
      "llama-quantize --imatrix m.imatrix --token-embedding-type Q4_K --output-tensor-type Q8_0 " +
        "--tensor-type '^blk\\.(0)\\.ffn_down\\.weight$=Q6_K' in.gguf 'out dir/o.gguf' Q4_K_M",
    );
  });
});
