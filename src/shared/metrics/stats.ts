// Summary statistics for repeated measurements (speed reps, per-token latencies). Pure functions over
// plain arrays; every screen, the CLI and the store use these so a "p95" means the same everywhere.

/** Mean, spread and percentiles of one measured quantity. */
export interface Summary {
  readonly samples: number;
  readonly mean: number;
  /** Sample standard deviation (n − 1 denominator); null with fewer than two samples. */
  readonly stddev: number | null;
  /** stddev / |mean|; null when stddev is null or the mean is 0. */
  readonly cv: number | null;
  readonly min: number;
  readonly max: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
}

function requireValues(values: readonly number[], what: string): void {
  if (values.length === 0) throw new RangeError(`${what} of an empty list`);
  for (const value of values) {
    if (!Number.isFinite(value)) throw new RangeError(`${what}: ${value} is not a finite number`);
  }
}

export function mean(values: readonly number[]): number {
  requireValues(values, "mean");
  let sum = 0;
  for (const value of values) sum += value;
  return sum / values.length;
}

/**
 * Sample standard deviation, sqrt(Σ(x − mean)² / (n − 1)): the repetitions are a sample of what the
 * machine would do, so the unbiased variance is the honest one. Null for a single sample.
 */
export function stddev(values: readonly number[]): number | null {
  const m = mean(values);
  if (values.length < 2) return null;
  let squares = 0;
  for (const value of values) squares += (value - m) ** 2;
  return Math.sqrt(squares / (values.length - 1));
}

/** Coefficient of variation: stddev / |mean|. Null when it is undefined (one sample, mean 0). */
export function coefficientOfVariation(values: readonly number[]): number | null {
  const s = stddev(values);
  const m = mean(values);
  return s === null || m === 0 ? null : s / Math.abs(m);
}

/**
 * The p-th percentile (p in 0..100) by linear interpolation between closest ranks — the method
 * NumPy, R (type 7) and spreadsheets use by default: sort ascending, h = (n − 1)·p/100, then
 * x[⌊h⌋] + (h − ⌊h⌋)·(x[⌊h⌋+1] − x[⌊h⌋]). p50 of [1, 2, 3, 4] is 2.5; p0 is the minimum, p100 the maximum.
 */
export function percentile(values: readonly number[], p: number): number {
  requireValues(values, "percentile");
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile: p must be within 0..100, got ${p}`);
  const sorted = [...values].sort((a, b) => a - b);
  return percentileOfSorted(sorted, p);
}

function percentileOfSorted(sorted: readonly number[], p: number): number {
  const h = ((sorted.length - 1) * p) / 100;
  const lower = Math.floor(h);
  const upper = Math.min(lower + 1, sorted.length - 1);
  const low = sorted[lower]!;
  return low + (h - lower) * (sorted[upper]! - low);
}

/** Everything the metrics rows and charts show for one quantity, computed with one sort. */
export function summarize(values: readonly number[]): Summary {
  requireValues(values, "summarize");
  const sorted = [...values].sort((a, b) => a - b);
  const m = mean(values);
  const s = stddev(values);
  return {
    samples: values.length,
    mean: m,
    stddev: s,
    cv: s === null || m === 0 ? null : s / Math.abs(m),
    min: sorted[0]!,
    max: sorted[sorted.length - 1]!,
    p50: percentileOfSorted(sorted, 50),
    p95: percentileOfSorted(sorted, 95),
    p99: percentileOfSorted(sorted, 99),
  };
}

/** A mean over `samples` values with their sample standard deviation (null: one value). */
export interface MeanAndSpread {
  readonly mean: number;
  readonly stddev: number | null;
  readonly samples: number;
}

/**
 * The mean and sample standard deviation of several groups taken together (a benchmark repeated in
 * rounds), exactly as if computed over all their values: Σ(n − 1)s² within the groups plus
 * Σn(mean − overall)² between them, over N − 1. A group without a spread counts as one value.
 */
export function poolMeans(groups: readonly MeanAndSpread[]): MeanAndSpread {
  if (groups.length === 0) throw new RangeError("poolMeans of an empty list");
  const parts = groups.map((g) => (g.stddev === null ? { ...g, samples: 1, stddev: 0 } : g));
  const total = parts.reduce((sum, g) => sum + g.samples, 0);
  const overall = parts.reduce((sum, g) => sum + g.samples * g.mean, 0) / total;
  if (total < 2) return { mean: overall, stddev: null, samples: total };
  const squares = parts.reduce(
    (sum, g) => sum + (g.samples - 1) * g.stddev! ** 2 + g.samples * (g.mean - overall) ** 2,
    0,
  );
  return { mean: overall, stddev: Math.sqrt(squares / (total - 1)), samples: total };
}
