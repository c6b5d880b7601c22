// Whether two measured means differ by more than their noise: Welch's t-test on the repetitions
// (unequal variances, unequal counts), two-sided, at the 5 % level. Every "faster", "best", Pareto
// front and "within noise" mark in the app goes through `compareMeasured`, so a difference the
// repetitions cannot support is never shown as a finding. Pure math, no dependencies.

/** One quantity measured `samples` times: its mean and sample standard deviation (n − 1). */
export interface Measured {
  readonly mean: number;
  readonly stddev: number | null;
  readonly samples: number | null;
}

export interface WelchResult {
  readonly t: number;
  /** Welch–Satterthwaite degrees of freedom. */
  readonly df: number;
  /** Two-sided p-value: the chance of a gap at least this large if the true means were equal. */
  readonly p: number;
}

/** Below this p-value a difference counts as real. */
export const significanceLevel = 0.05;

/** ln Γ(x) for x > 0 (Lanczos approximation, g = 7, 9 terms; about 15 significant digits). */
function logGamma(x: number): number {
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let sum = c[0]!;
  for (let i = 1; i < 9; i++) sum += c[i]! / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

/** Continued fraction of the incomplete beta function (modified Lentz), valid for x < (a+1)/(a+b+2). */
function betaFraction(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let result = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    const even = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + even * d;
    c = 1 + even / c;
    d = 1 / (Math.abs(d) < tiny ? tiny : d);
    c = Math.abs(c) < tiny ? tiny : c;
    result *= d * c;
    const odd = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + odd * d;
    c = 1 + odd / c;
    d = 1 / (Math.abs(d) < tiny ? tiny : d);
    c = Math.abs(c) < tiny ? tiny : c;
    const step = d * c;
    result *= step;
    if (Math.abs(step - 1) < 1e-15) break;
  }
  return result;
}

/** The regularized incomplete beta function I_x(a, b). */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  // The fraction converges fast only on one side of the mean; use the symmetry I_x(a,b) = 1 − I_1−x(b,a).
  return x < (a + 1) / (a + b + 2)
    ? (front * betaFraction(a, b, x)) / a
    : 1 - (front * betaFraction(b, a, 1 - x)) / b;
}

/** Two-sided p-value of Student's t with `df` degrees of freedom: P(|T| ≥ |t|). */
export function studentTwoSidedP(t: number, df: number): number {
  if (!Number.isFinite(t)) return 0;
  return incompleteBeta(df / (df + t * t), df / 2, 0.5);
}

/** Welch's t-test of a against b; null when either side has no spread (fewer than two samples). */
export function welchTest(a: Measured, b: Measured): WelchResult | null {
  if (a.stddev === null || b.stddev === null || a.samples === null || b.samples === null) return null;
  if (a.samples < 2 || b.samples < 2) return null;
  const va = (a.stddev * a.stddev) / a.samples;
  const vb = (b.stddev * b.stddev) / b.samples;
  const gap = a.mean - b.mean;
  if (va + vb === 0) {
    // Both perfectly steady: any gap is real, equal means are the same.
    return {
      t: gap === 0 ? 0 : Math.sign(gap) * Infinity,
      df: a.samples + b.samples - 2,
      p: gap === 0 ? 1 : 0,
    };
  }
  const t = gap / Math.sqrt(va + vb);
  const df = (va + vb) ** 2 / (va ** 2 / (a.samples - 1) + vb ** 2 / (b.samples - 1));
  return { t, df, p: studentTwoSidedP(t, df) };
}

/** "higher"/"lower": b differs from a beyond the noise; "same": within it; "unknown": no spread. */
export type NoiseVerdict = "higher" | "lower" | "same" | "unknown";

export function compareMeasured(a: Measured, b: Measured): NoiseVerdict {
  const test = welchTest(b, a);
  if (test === null) return "unknown";
  if (test.p >= significanceLevel) return "same";
  return test.t > 0 ? "higher" : "lower";
}
