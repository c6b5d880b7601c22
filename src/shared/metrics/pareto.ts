// Trade-off queries over measured variants: which variants are not beaten on two metrics at once
// (the Pareto front of, say, size vs perplexity), and which single variant is best among those that
// satisfy hard limits ("fits in 8 GB and generates at least 20 tok/s"). Items are anything; the
// caller says how to read each metric. Items lacking a needed value are left out, never guessed.

export type Direction = "minimize" | "maximize";

export interface Objective<T> {
  /** The metric's value for an item; null/undefined/NaN means "not measured". */
  readonly value: (item: T) => number | null | undefined;
  readonly direction: Direction;
}

export interface Constraint<T> {
  readonly value: (item: T) => number | null | undefined;
  /** Inclusive bounds; give one or both. */
  readonly min?: number;
  readonly max?: number;
}

function read<T>(objective: { value: (item: T) => number | null | undefined }, item: T): number | null {
  const value = objective.value(item);
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

/** Orientation so that "smaller is better" for both directions. */
function cost(direction: Direction, value: number): number {
  return direction === "minimize" ? value : -value;
}

/** True when a is no worse than b on both objectives and strictly better on at least one. */
export function dominates<T>(a: T, b: T, first: Objective<T>, second: Objective<T>): boolean {
  const a1 = read(first, a);
  const a2 = read(second, a);
  const b1 = read(first, b);
  const b2 = read(second, b);
  if (a1 === null || a2 === null || b1 === null || b2 === null) return false;
  const ca1 = cost(first.direction, a1);
  const ca2 = cost(second.direction, a2);
  const cb1 = cost(first.direction, b1);
  const cb2 = cost(second.direction, b2);
  return ca1 <= cb1 && ca2 <= cb2 && (ca1 < cb1 || ca2 < cb2);
}

/**
 * The items no other item dominates, ordered from best to worst on the first objective (so a chart
 * can draw the front as a line). Items with identical values on both objectives are all kept.
 * O(n log n): sort by the first objective, then sweep keeping the best second value seen so far.
 */
export function paretoFront<T>(items: readonly T[], first: Objective<T>, second: Objective<T>): T[] {
  const scored: { item: T; c1: number; c2: number; index: number }[] = [];
  items.forEach((item, index) => {
    const v1 = read(first, item);
    const v2 = read(second, item);
    if (v1 !== null && v2 !== null)
      scored.push({ item, c1: cost(first.direction, v1), c2: cost(second.direction, v2), index });
  });
  scored.sort((a, b) => a.c1 - b.c1 || a.c2 - b.c2 || a.index - b.index);

  const front: T[] = [];
  let bestC2 = Infinity;
  let lastKept: { c1: number; c2: number } | null = null;
  for (const entry of scored) {
    const duplicateOfKept = lastKept !== null && entry.c1 === lastKept.c1 && entry.c2 === lastKept.c2;
    if (entry.c2 < bestC2 || duplicateOfKept) {
      front.push(entry.item);
      bestC2 = Math.min(bestC2, entry.c2);
      lastKept = { c1: entry.c1, c2: entry.c2 };
    }
  }
  return front;
}

/** True when the item has a value for every constraint and each lies within its bounds. */
export function satisfies<T>(item: T, constraints: readonly Constraint<T>[]): boolean {
  return constraints.every((constraint) => {
    const value = read(constraint, item);
    if (value === null) return false;
    if (constraint.min !== undefined && value < constraint.min) return false;
    if (constraint.max !== undefined && value > constraint.max) return false;
    return true;
  });
}

/**
 * The best item by `objective` among those satisfying every constraint, or null when none does.
 * Ties go to `tieBreak` when given, then to the earlier item. Example: lowest perplexity among
 * variants with peak memory ≤ 8 GB and generation ≥ 20 tok/s.
 */
export function bestUnderConstraints<T>(
  items: readonly T[],
  constraints: readonly Constraint<T>[],
  objective: Objective<T>,
  tieBreak?: Objective<T>,
): T | null {
  let best: { item: T; c: number; tie: number } | null = null;
  for (const item of items) {
    if (!satisfies(item, constraints)) continue;
    const value = read(objective, item);
    if (value === null) continue;
    const c = cost(objective.direction, value);
    const tieValue = tieBreak ? read(tieBreak, item) : null;
    const tie = tieBreak && tieValue !== null ? cost(tieBreak.direction, tieValue) : Infinity;
    if (best === null || c < best.c || (c === best.c && tie < best.tie)) best = { item, c, tie };
  }
  return best?.item ?? null;
}

/** How item a compares with item b on one objective; null when either is not measured. */
export type Judgement = "better" | "worse" | "same";
export type Judge<T> = (a: T, b: T) => Judgement | null;

/** A judge for an exact figure (file size, KL divergence on one shared text): any gap counts. */
export function exactJudge<T>(objective: Objective<T>): Judge<T> {
  return (a, b) => {
    const va = read(objective, a);
    const vb = read(objective, b);
    if (va === null || vb === null) return null;
    const ca = cost(objective.direction, va);
    const cb = cost(objective.direction, vb);
    return ca < cb ? "better" : ca > cb ? "worse" : "same";
  };
}

/**
 * The items no other item beats beyond noise: b excludes a when b is better on one objective and
 * not worse on the other, as the judges see it. With exact judges this is `paretoFront`; with a
 * judge that calls differences within the noise "same", a variant is neither put on a front nor
 * pushed off it by noise. Kept in input order; O(n²), for the handful of variants a sweep makes.
 */
export function frontBeyondNoise<T>(items: readonly T[], first: Judge<T>, second: Judge<T>): T[] {
  const measured = items.filter((item) => first(item, item) !== null && second(item, item) !== null);
  return measured.filter(
    (a) =>
      !measured.some((b) => {
        if (b === a) return false;
        const j1 = first(b, a);
        const j2 = second(b, a);
        return (j1 === "better" && j2 !== "worse") || (j2 === "better" && j1 !== "worse");
      }),
  );
}
