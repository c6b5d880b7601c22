// From measured cells to recipes: exact sizes with the file's padding, losses relative to the
// baseline (noise below it counts as zero), the best recipe within each budget equal to brute
// force, and the sensitivity cache keyed by what was measured.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { chooseRecipes, lossGroups, type RecipeInputs } from "../../src/core/search/chooseRecipes.js";
import {
  addToSensitivityCache,
  cellKey,
  measuredCellsLog,
  readSensitivityCache,
  sensitivityCachePath,
} from "../../src/core/search/sensitivityCache.js";
import { groupBytes, searchGroups } from "../../src/core/quantize/searchGroupSizes.js";
import { evalSettings } from "../../src/shared/domain/eval.js";
import type { MeasuredCell } from "../../src/shared/domain/searchSensitivity.js";

const tensors = [
  { name: "token_embd.weight", shape: [256, 1000] },
  ...[0, 1, 2].flatMap((b) => [
    { name: `blk.${b}.attn_q.weight`, shape: [256, 256] },
    { name: `blk.${b}.ffn_down.weight`, shape: [768, 256] },
  ]),
];
const groups = searchGroups(tensors, 1);
const types = ["Q4_K", "Q6_K", "Q8_0"];

function cell(group: string, type: string, kld: number): MeasuredCell {
  const e = { value: kld, uncertainty: kld / 10 };
  return { group, type, kld: e, ppl: e, seconds: 1 };
}

// Deterministic pseudo-random losses: lower types lose more.
function measured(seed: number): Map<string, MeasuredCell> {
  let state = seed;
  const next = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const cells = [cell("*", "Q8_0", 0.01)];
  for (const group of groups) {
    cells.push(cell(group.name, "Q4_K", 0.01 + 0.05 * next()));
    cells.push(cell(group.name, "Q6_K", 0.01 + 0.005 * next() - 0.002));
  }
  return new Map(cells.map((c) => [cellKey(c.group, c.type), c]));
}

function inputs(cells: Map<string, MeasuredCell>, overrides: Partial<RecipeInputs> = {}): RecipeInputs {
  return {
    groups,
    types,
    baselineType: "Q8_0",
    cells,
    fixedBytes: 0,
    alignment: 32,
    imatrixTensors: null,
    ...overrides,
  };
}

function bruteForce(cells: Map<string, MeasuredCell>, budget: number, fixed: number) {
  let best: { bytes: number; loss: number } | undefined;
  const options = lossGroups(inputs(cells, { fixedBytes: fixed }));
  const walk = (index: number, bytes: number, loss: number) => {
    if (index === options.length) {
      if (bytes + fixed <= budget && (!best || loss < best.loss - 1e-15)) best = { bytes, loss };
      return;
    }
    for (const option of options[index]!.options) walk(index + 1, bytes + option.bytes, loss + option.loss);
  };
  walk(0, 0, 0);
  return best;
}

describe("chooseRecipes", () => {
  it("prices each option from the tensor shapes and the baseline, clamping noise below it to zero", () => {
    const cells = measured(7);
    const [embd] = lossGroups(inputs(cells));
    expect(embd!.name).toBe("token_embd");
    expect(embd!.options.find((o) => o.type === "Q8_0")).toMatchObject({
      loss: 0,
      bytes: groupBytes(groups[0]!, "Q8_0", 32),
    });
    const q6 = embd!.options.find((o) => o.type === "Q6_K")!;
    expect(q6.loss).toBeGreaterThanOrEqual(0);
    expect(q6.loss).toBeCloseTo(Math.max(0, cells.get(cellKey("token_embd", "Q6_K"))!.kld.value - 0.01), 12);
  });

  it("picks the least predicted loss within every budget, as brute force does", () => {
    const fixed = 4096;
    const sizes = groups.map((g) => types.map((t) => groupBytes(g, t, 32)));
    const smallest = fixed + sizes.reduce((sum, s) => sum + Math.min(...s), 0);
    const largest = fixed + sizes.reduce((sum, s) => sum + Math.max(...s), 0);
    for (const seed of [1, 2, 3, 4, 5]) {
      const cells = measured(seed);
      const budgets = [0.1, 0.3, 0.5, 0.7, 0.9, 1].map((f) =>
        Math.floor(smallest + f * (largest - smallest)),
      );
      const recipes = chooseRecipes(inputs(cells, { fixedBytes: fixed }), budgets);
      budgets.forEach((budget, i) => {
        const expected = bruteForce(cells, budget, fixed)!;
        const recipe = recipes[i]!;
        expect(recipe.bytes).toBeLessThanOrEqual(budget);
        expect(recipe.predictedKld - 0.01).toBeCloseTo(expected.loss, 12);
        // The recipe's bytes are the sum of its choices' exact sizes.
        const bytes = recipe.choices.reduce((sum, c, g) => sum + groupBytes(groups[g]!, c.type, 32), fixed);
        expect(bytes).toBe(recipe.bytes);
      });
    }
    expect(chooseRecipes(inputs(measured(1), { fixedBytes: fixed }), [smallest - 1])).toEqual([undefined]);
  });

  it("offers a type that needs an importance matrix only to groups the matrix covers", () => {
    const cells = measured(3);
    for (const group of groups) cells.set(cellKey(group.name, "IQ2_XS"), cell(group.name, "IQ2_XS", 0.2));
    const covered = new Set(tensors.filter((t) => t.name.startsWith("blk.")).map((t) => t.name));
    const priced = lossGroups(inputs(cells, { types: [...types, "IQ2_XS"], imatrixTensors: covered }));
    const offered = new Map(priced.map((g) => [g.name, g.options.map((o) => o.type)]));
    expect(offered.get("token_embd")).toEqual(types);
    expect(offered.get("ffn_down@0")).toEqual([...types, "IQ2_XS"]);
  });

  it("refuses to price a cell that was not measured", () => {
    const cells = measured(1);
    cells.delete(cellKey("ffn_down@1", "Q4_K"));
    expect(() => lossGroups(inputs(cells))).toThrow(/ffn_down@1 at Q4_K was not measured/);
  });
});

describe("sensitivity cache", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "cwb-search-cache-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const key = {
    modelSha256: "a".repeat(64),
    textSha256: "b".repeat(64),
    imatrixSha256: null,
    baselineType: "Q8_0",
    settings: evalSettings.parse({ chunks: 4 }),
  };

  it("keeps cells per (model, text, imatrix, baseline, settings) and merges later ones", () => {
    const file = sensitivityCachePath(dir, key);
    expect(sensitivityCachePath(dir, { ...key, settings: evalSettings.parse({ chunks: 8 }) })).not.toBe(file);
    expect(sensitivityCachePath(dir, { ...key, imatrixSha256: "c".repeat(64) })).not.toBe(file);
    expect(sensitivityCachePath(dir, { ...key, textSha256: "d".repeat(64) })).not.toBe(file);
    expect(readSensitivityCache(file).size).toBe(0);
    addToSensitivityCache(file, [cell("*", "Q8_0", 0.01), cell("output", "Q4_K", 0.03)]);
    addToSensitivityCache(file, [cell("output", "Q4_K", 0.02), cell("output", "Q6_K", 0.011)]);
    const cells = readSensitivityCache(file);
    expect(cells.size).toBe(3);
    expect(cells.get(cellKey("output", "q4_k"))!.kld.value).toBe(0.02);
  });

  it("counts the cells a crashed job logged, skipping a line cut short, until the cache takes them", () => {
    const file = sensitivityCachePath(dir, { ...key, baselineType: "F16" });
    const log = measuredCellsLog(file);
    writeFileSync(
      log,
      JSON.stringify(cell("*", "F16", 0.001)) +
        "\n" +
        JSON.stringify(cell("output", "Q4_K", 0.02)).slice(0, 30),
    );
    expect([...readSensitivityCache(file).keys()]).toEqual([cellKey("*", "F16")]);
    addToSensitivityCache(file, [cell("output", "Q4_K", 0.02)]);
    expect(existsSync(log)).toBe(false);
    expect(readSensitivityCache(file).size).toBe(2);
  });
});
