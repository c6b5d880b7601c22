// Which FFN channels and KV groups a width-pruned model keeps, from their measured importance: per
// block the top-scoring ones (uniform: the same share everywhere; per-layer: one budget over every
// block, scores divided by their block's mean so blocks of different scale compete fairly), kept
// FFN widths rounded to multiples of 256 when K-quants must keep their type.
import type { BlockChannelImportance, KeepAmount, WidthRecipe } from "../../shared/domain/widthPruning.js";

export const K_QUANT_ROW = 256;

export interface WidthSelection {
  /** Per block, ascending indices. */
  ffnKeep: number[][];
  groupsKeep: number[][];
}

export function keptCount(width: number, amount: KeepAmount | null): number {
  if (amount === null) return width;
  const n = amount.kind === "fraction" ? Math.round(width * amount.value) : amount.value;
  return Math.min(width, Math.max(1, n));
}

/** The nearest multiple of 256 (at least 256), for widths that have one to round to. */
export function roundToKQuantRows(count: number, width: number): number {
  if (width < K_QUANT_ROW) return count;
  const rounded = Math.max(K_QUANT_ROW, Math.round(count / K_QUANT_ROW) * K_QUANT_ROW);
  return Math.min(rounded, width - (width % K_QUANT_ROW));
}

/** Sum of the query-head scores of each KV group (groups of headCount / headCountKv consecutive heads). */
export function groupScores(heads: readonly number[], headCountKv: number): number[] {
  const perGroup = heads.length / headCountKv;
  return Array.from({ length: headCountKv }, (_, g) =>
    heads.slice(g * perGroup, (g + 1) * perGroup).reduce((a, b) => a + b, 0),
  );
}

// Seeded ordering key (mulberry32) for the random baseline.
function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** What a channel is ranked by: its score, its negation (to remove the most important) or a random key. */
function rankingKeys(scores: readonly number[][], removes: WidthRecipe["removes"], seed: number): number[][] {
  if (removes === "random") {
    const next = seededRandom(seed);
    return scores.map((s) => s.map(() => next()));
  }
  const sign = removes === "least-important" ? 1 : -1;
  return scores.map((s) => {
    const mean = s.reduce((a, b) => a + b, 0) / Math.max(1, s.length) || 1;
    return s.map((v) => (sign * v) / mean);
  });
}

function topIndices(keys: readonly number[], count: number): number[] {
  return keys
    .map((k, i) => ({ k, i }))
    .sort((a, b) => b.k - a.k || a.i - b.i)
    .slice(0, count)
    .map((x) => x.i)
    .sort((a, b) => a - b);
}

/** Per-block kept counts: uniform shares, or one budget split by the best keys across blocks. */
function keptCounts(
  keys: readonly number[][],
  amount: KeepAmount | null,
  distribution: WidthRecipe["distribution"],
): number[] {
  const uniform = keys.map((k) => keptCount(k.length, amount));
  if (distribution === "uniform" || amount === null) return uniform;
  const budget = uniform.reduce((a, b) => a + b, 0);
  const all = keys.flatMap((k, layer) => k.map((key) => ({ key, layer })));
  all.sort((a, b) => b.key - a.key || a.layer - b.layer);
  const counts = keys.map(() => 0);
  for (const { layer } of all.slice(0, budget)) counts[layer]!++;
  return counts.map((c) => Math.max(1, c));
}

export function selectWidth(
  layers: readonly BlockChannelImportance[],
  headCountKv: readonly number[],
  recipe: WidthRecipe,
): WidthSelection {
  const ffnKeys = rankingKeys(
    layers.map((l) => l.ffn),
    recipe.removes,
    recipe.seed,
  );
  const groupKeys = rankingKeys(
    layers.map((l, i) => groupScores(l.heads, headCountKv[i]!)),
    recipe.removes,
    recipe.seed + 1,
  );
  const ffnCounts = keptCounts(ffnKeys, recipe.ffnKeep, recipe.distribution).map((c, i) =>
    recipe.kQuantRows && recipe.ffnKeep !== null ? roundToKQuantRows(c, ffnKeys[i]!.length) : c,
  );
  const groupCounts = keptCounts(groupKeys, recipe.headsKeep, recipe.distribution);
  return {
    ffnKeep: ffnKeys.map((k, i) => topIndices(k, ffnCounts[i]!)),
    groupsKeep: groupKeys.map((k, i) => topIndices(k, groupCounts[i]!)),
  };
}

/** The pruned tensors whose rows (ggml's first dimension) are not a multiple of 256. */
export function kQuantFallbacks(
  ffnLengths: readonly number[],
  headCounts: readonly number[],
  headDim: number,
): string[] {
  const out: string[] = [];
  ffnLengths.forEach((n, b) => {
    if (n % K_QUANT_ROW !== 0) out.push(`blk.${b}.ffn_down.weight`);
  });
  headCounts.forEach((h, b) => {
    if ((h * headDim) % K_QUANT_ROW !== 0) out.push(`blk.${b}.attn_output.weight`);
  });
  return out;
}
