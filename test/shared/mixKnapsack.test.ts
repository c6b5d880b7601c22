import { describe, expect, it } from "vitest";
import { bestMixWithin, mixFront, type MixGroup } from "../../src/shared/metrics/mixKnapsack.js";

// A small deterministic generator so failures reproduce.
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

function randomGroups(next: () => number, count: number): MixGroup[] {
  return Array.from({ length: count }, (_, g) => ({
    name: `g${g}`,
    options: Array.from({ length: 2 + Math.floor(next() * 3) }, (_, t) => ({
      type: `T${t}`,
      bytes: 1 + Math.floor(next() * 50),
      loss: Math.round(next() * 1000) / 100,
      needsImatrix: next() < 0.2,
    })),
  }));
}

function bruteForce(groups: MixGroup[], budget: number, hasImatrix: boolean): number | undefined {
  let best: number | undefined;
  const visit = (index: number, bytes: number, loss: number): void => {
    if (bytes > budget) return;
    if (index === groups.length) {
      if (best === undefined || loss < best) best = loss;
      return;
    }
    for (const option of groups[index]!.options) {
      if (hasImatrix || !option.needsImatrix) visit(index + 1, bytes + option.bytes, loss + option.loss);
    }
  };
  visit(0, 0, 0);
  return best;
}

describe("mixFront", () => {
  it("finds the same least loss as brute force on random instances, for every budget", () => {
    const next = random(7);
    for (let trial = 0; trial < 200; trial += 1) {
      const groups = randomGroups(next, 1 + Math.floor(next() * 6));
      const hasImatrix = next() < 0.5;
      if (groups.some((group) => !hasImatrix && group.options.every((option) => option.needsImatrix)))
        continue;
      const front = mixFront(groups, { hasImatrix });
      for (const budget of [0, 20, 60, 120, 400]) {
        const chosen = bestMixWithin(front, budget);
        const expected = bruteForce(groups, budget, hasImatrix);
        if (expected === undefined) expect(chosen).toBeUndefined();
        else expect(chosen?.loss).toBeCloseTo(expected, 9);
        if (chosen) {
          // The recipe's types add up to the reported bytes and loss.
          let bytes = 0;
          let loss = 0;
          groups.forEach((group) => {
            const option = group.options.find(
              (candidate) => candidate.type === chosen.types.get(group.name),
            )!;
            if (!hasImatrix) expect(option.needsImatrix).toBeFalsy();
            bytes += option.bytes;
            loss += option.loss;
          });
          expect(bytes).toBe(chosen.bytes);
          expect(bytes).toBeLessThanOrEqual(budget);
          expect(loss).toBeCloseTo(chosen.loss, 9);
        }
      }
    }
  });

  it("returns a front ascending in bytes and strictly descending in loss", () => {
    const front = mixFront(randomGroups(random(3), 8), { hasImatrix: true });
    for (let i = 1; i < front.length; i += 1) {
      expect(front[i]!.bytes).toBeGreaterThan(front[i - 1]!.bytes);
      expect(front[i]!.loss).toBeLessThan(front[i - 1]!.loss);
    }
  });

  it("refuses a group with no type allowed without an imatrix", () => {
    const groups: MixGroup[] = [
      { name: "blk.0.ffn", options: [{ type: "IQ2_XXS", bytes: 1, loss: 1, needsImatrix: true }] },
    ];
    expect(() => mixFront(groups, { hasImatrix: false })).toThrow(/blk\.0\.ffn/);
  });
});
