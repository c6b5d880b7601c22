import { describe, expect, it } from "vitest";
import { effectiveType, groupBytes, searchGroups } from "../../src/core/quantize/searchGroupSizes.js";

const tensors = [
  { name: "token_embd.weight", shape: [512, 1000] },
  { name: "blk.0.attn_norm.weight", shape: [512] },
  { name: "blk.0.ffn_down.weight", shape: [1376, 512] },
  { name: "blk.1.ffn_down.weight", shape: [1376, 512] },
  { name: "blk.2.ffn_down.weight", shape: [1376, 512] },
  { name: "blk.0.attn_q.weight", shape: [512, 512] },
  { name: "output.weight", shape: [512, 1000] },
];

describe("searchGroups", () => {
  it("groups weight matrices by class and band, with patterns that select exactly the group", () => {
    const groups = searchGroups(tensors, 2);
    expect(groups.map((g) => g.name).sort()).toEqual(
      ["attn_q@0-1", "ffn_down@0-1", "ffn_down@2-3", "output", "token_embd"].sort(),
    );
    const ffn = groups.find((g) => g.name === "ffn_down@0-1")!;
    const pattern = new RegExp(ffn.pattern);
    expect(tensors.filter((t) => pattern.test(t.name)).map((t) => t.name)).toEqual([
      "blk.0.ffn_down.weight",
      "blk.1.ffn_down.weight",
    ]);
  });
});

describe("groupBytes", () => {
  it("sizes from the block size and falls back as llama-quantize does for rows not a multiple of 256", () => {
    // 1376 = 43 × 32, not a multiple of 256: Q4_K becomes Q5_0 (22 bytes per 32 weights).
    expect(effectiveType("q4_k", [1376, 512])).toBe("Q5_0");
    expect(effectiveType("Q4_K", [512, 512])).toBe("Q4_K");
    expect(effectiveType("Q3_K", [1376, 512])).toBe("Q4_0");
    expect(effectiveType("IQ2_XS", [1376, 512])).toBe("IQ4_NL");
    expect(effectiveType("Q8_0", [100, 512])).toBe("F16");
    const [ffn] = searchGroups([tensors[2]!], 1);
    expect(groupBytes(ffn!, "Q4_K")).toBe((1376 / 32) * 22 * 512);
    expect(groupBytes(ffn!, "Q8_0")).toBe((1376 / 32) * 34 * 512);
    const [q] = searchGroups([tensors[5]!], 1);
    expect(groupBytes(q!, "Q4_K")).toBe((512 / 256) * 144 * 512);
  });
});
