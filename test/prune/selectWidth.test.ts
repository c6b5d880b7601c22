// What a width-pruned model keeps, from measured importance (core/quantize/selectWidth.ts).
import { describe, expect, it } from "vitest";
import type { BlockChannelImportance, WidthRecipe } from "../../src/shared/domain/widthPruning.js";
import {
  groupScores,
  kQuantFallbacks,
  keptCount,
  roundToKQuantRows,
  selectWidth,
} from "../../src/core/quantize/selectWidth.js";

const recipe = (r: Partial<WidthRecipe>): WidthRecipe => ({
  ffnKeep: null,
  headsKeep: null,
  distribution: "uniform",
  kQuantRows: false,
  removes: "least-important",
  seed: 1,
  ...r,
});

const block = (layer: number, ffn: number[], heads: number[] = [1, 1, 1, 1]): BlockChannelImportance => ({
  layer,
  ffn,
  heads,
});

describe("selectWidth", () => {
  it("counts: fractions round, counts are capped at the width, at least one stays", () => {
    expect(keptCount(768, { kind: "fraction", value: 0.75 })).toBe(576);
    expect(keptCount(10, { kind: "count", value: 50 })).toBe(10);
    expect(keptCount(10, { kind: "fraction", value: 0.01 })).toBe(1);
    expect(keptCount(10, null)).toBe(10);
  });

  it("K-quant rows: the nearest multiple of 256, at least 256, never above the width's", () => {
    expect(roundToKQuantRows(576, 768)).toBe(512);
    expect(roundToKQuantRows(384, 768)).toBe(512);
    expect(roundToKQuantRows(100, 768)).toBe(256);
    expect(roundToKQuantRows(700, 700)).toBe(512);
    expect(roundToKQuantRows(100, 128)).toBe(100);
  });

  it("uniform: each block keeps its own top channels, ascending", () => {
    const s = selectWidth(
      [block(0, [5, 1, 4, 2]), block(1, [1, 9, 8, 7])],
      [4, 4],
      recipe({ ffnKeep: { kind: "fraction", value: 0.5 } }),
    );
    expect(s.ffnKeep).toEqual([
      [0, 2],
      [1, 2],
    ]);
    expect(s.groupsKeep).toEqual([
      [0, 1, 2, 3],
      [0, 1, 2, 3],
    ]);
  });

  it("per-layer: one budget; a block whose channels stand out less against its own mean gives more up", () => {
    // Block 0 is flat (every channel at its mean), block 1 has two channels far above its mean.
    const s = selectWidth(
      [block(0, [1, 1, 1, 1]), block(1, [10, 10, 0.1, 0.1])],
      [4, 4],
      recipe({ ffnKeep: { kind: "count", value: 2 }, distribution: "per-layer" }),
    );
    expect(s.ffnKeep.flat()).toHaveLength(4);
    expect(s.ffnKeep[1]).toEqual([0, 1]);
    expect(s.ffnKeep[0]).toHaveLength(2);
  });

  it("most-important removes the top channels; random is fixed by its seed", () => {
    const layers = [block(0, [5, 1, 4, 2])];
    expect(
      selectWidth(layers, [4], recipe({ ffnKeep: { kind: "count", value: 2 }, removes: "most-important" }))
        .ffnKeep,
    ).toEqual([[1, 3]]);
    const a = selectWidth(
      layers,
      [4],
      recipe({ ffnKeep: { kind: "count", value: 2 }, removes: "random", seed: 7 }),
    );
    const b = selectWidth(
      layers,
      [4],
      recipe({ ffnKeep: { kind: "count", value: 2 }, removes: "random", seed: 7 }),
    );
    expect(a).toEqual(b);
  });

  it("grouped-query attention: heads are scored and kept as whole KV groups", () => {
    expect(groupScores([1, 2, 3, 4], 2)).toEqual([3, 7]);
    const s = selectWidth(
      [block(0, [1, 1], [1, 2, 3, 4])],
      [2],
      recipe({ headsKeep: { kind: "count", value: 1 } }),
    );
    expect(s.groupsKeep).toEqual([[1]]);
  });

  it("names the pruned tensors whose rows a K-quant cannot take", () => {
    expect(kQuantFallbacks([512, 576], [4, 3], 64)).toEqual([
      "blk.1.ffn_down.weight",
      "blk.1.attn_output.weight",
    ]);
  });
});
