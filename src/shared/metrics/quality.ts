// Quality statistics of a model over scored text positions, computed exactly as llama-perplexity
// (tools/perplexity) computes them with --kl-divergence, so figures can be compared one to one:
// perplexity with its uncertainty, ΔPPL and PPL ratio against the base (using the covariance of the
// two per-token log-likelihoods), KL divergence mean ± uncertainty and its percentiles, the share of
// positions where the top token is the same, and the RMS of Δp (change of the correct token's
// probability). Pure functions over per-position arrays.
import { percentile } from "./stats.js";

/** A value with its standard uncertainty (standard error of the estimate, not a spread of samples). */
export interface Estimate {
  readonly value: number;
  readonly uncertainty: number;
}

export interface PerplexityStats {
  readonly count: number;
  /** Mean negative log-likelihood per token (nats) and its standard error. */
  readonly meanNll: Estimate;
  readonly ppl: Estimate;
}

export interface BaseComparisonStats {
  readonly count: number;
  readonly ppl: Estimate;
  readonly basePpl: Estimate;
  /** Correlation of the per-token ln p of variant and base. */
  readonly nllCorrelation: number;
  /** ln(PPL / PPL_base). */
  readonly lnPplRatio: Estimate;
  readonly pplRatio: Estimate;
  /** PPL − PPL_base. */
  readonly pplDelta: Estimate;
  readonly kld: {
    readonly mean: Estimate;
    readonly median: number;
    readonly p90: number;
    readonly p95: number;
    readonly p99: number;
    readonly p999: number;
    readonly max: number;
    readonly min: number;
  };
  /** Δp = p_variant(correct) − p_base(correct), as fractions (not percent). */
  readonly deltaP: {
    readonly mean: Estimate;
    readonly rms: Estimate;
    readonly max: number;
    readonly min: number;
  };
  /** Share (0..1) of positions where variant and base rank the same token first. */
  readonly sameTop: Estimate;
}

interface Sums {
  sum: number;
  sum2: number;
}

/**
 * Mean and its standard error from running sums, as llama-perplexity's mean_and_uncertainty:
 * variance sum2/n − mean², uncertainty sqrt(var/(n−1)); zero when the variance is not positive or n ≤ 10.
 */
export function meanAndUncertainty(sum: number, sum2: number, count: number): Estimate {
  if (count < 1) return { value: 0, uncertainty: 0 };
  const f = sum / count;
  const variance = sum2 / count - f * f;
  return { value: f, uncertainty: variance > 0 && count > 10 ? Math.sqrt(variance / (count - 1)) : 0 };
}

/** Covariance of the two means (llama-perplexity's covariance): 0 below 10 samples. */
export function covarianceOfMeans(sumA: number, sumB: number, sumAB: number, count: number): number {
  if (count < 10) return 0;
  return (sumAB / count - (sumA / count) * (sumB / count)) / (count - 1);
}

function sums(values: ArrayLike<number>): Sums {
  let sum = 0;
  let sum2 = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    sum += v;
    sum2 += v * v;
  }
  return { sum, sum2 };
}

function requirePositions(nll: ArrayLike<number>): void {
  if (nll.length === 0) throw new RangeError("no scored positions");
  for (let i = 0; i < nll.length; i++) {
    if (!Number.isFinite(nll[i]!))
      throw new RangeError(`negative log-likelihood at position ${i} is ${nll[i]}`);
  }
}

/** Perplexity exp(mean nll) with uncertainty PPL · se(mean nll) (first-order propagation, as llama-perplexity). */
export function perplexityStats(nll: ArrayLike<number>): PerplexityStats {
  requirePositions(nll);
  const s = sums(nll);
  const meanNll = meanAndUncertainty(s.sum, s.sum2, nll.length);
  const ppl = Math.exp(meanNll.value);
  return { count: nll.length, meanNll, ppl: { value: ppl, uncertainty: ppl * meanNll.uncertainty } };
}

export interface BaseComparisonInput {
  /** −ln p(correct) under the variant, per scored position. */
  readonly nll: ArrayLike<number>;
  /** −ln p(correct) under the base, same positions. */
  readonly baseNll: ArrayLike<number>;
  /** KL(base ‖ variant) per position (nats). */
  readonly kld: ArrayLike<number>;
  /** 1 where the variant's top token equals the base's, else 0. */
  readonly sameTop: ArrayLike<number>;
}

export function baseComparisonStats(input: BaseComparisonInput): BaseComparisonStats {
  const { nll, baseNll, kld, sameTop } = input;
  requirePositions(nll);
  const n = nll.length;
  if (baseNll.length !== n || kld.length !== n || sameTop.length !== n) {
    throw new RangeError(
      `per-position arrays differ in length (${n}, ${baseNll.length}, ${kld.length}, ${sameTop.length})`,
    );
  }
  let sumNll = 0,
    sumNll2 = 0,
    sumBase = 0,
    sumBase2 = 0,
    sumCross = 0;
  let sumKld = 0,
    sumKld2 = 0;
  let sumDp = 0,
    sumDp2 = 0,
    sumDp4 = 0;
  let same = 0;
  const kldValues: number[] = new Array<number>(n);
  let dpMax = -Infinity;
  let dpMin = Infinity;
  for (let i = 0; i < n; i++) {
    const a = nll[i]!;
    const b = baseNll[i]!;
    const k = kld[i]!;
    if (!Number.isFinite(b) || !Number.isFinite(k))
      throw new RangeError(`base figures at position ${i} are not finite`);
    sumNll += a;
    sumNll2 += a * a;
    sumBase += b;
    sumBase2 += b * b;
    sumCross += a * b;
    sumKld += k;
    sumKld2 += k * k;
    kldValues[i] = k;
    const dp = Math.exp(-a) - Math.exp(-b);
    sumDp += dp;
    const dp2 = dp * dp;
    sumDp2 += dp2;
    sumDp4 += dp2 * dp2;
    dpMax = Math.max(dpMax, dp);
    dpMin = Math.min(dpMin, dp);
    if (sameTop[i]) same++;
  }

  const lnPpl = meanAndUncertainty(sumNll, sumNll2, n);
  const lnBase = meanAndUncertainty(sumBase, sumBase2, n);
  const cov = covarianceOfMeans(sumNll, sumBase, sumCross, n);
  const ppl = Math.exp(lnPpl.value);
  const basePpl = Math.exp(lnBase.value);
  const pplUnc = ppl * lnPpl.uncertainty;
  const baseUnc = basePpl * lnBase.uncertainty;
  const lnRatio = lnPpl.value - lnBase.value;
  const lnRatioUnc = Math.sqrt(Math.max(0, lnPpl.uncertainty ** 2 + lnBase.uncertainty ** 2 - 2 * cov));
  const ratio = Math.exp(lnRatio);
  const pplCov = ppl * basePpl * cov;
  const mse = meanAndUncertainty(sumDp2, sumDp4, n);
  const rms = Math.sqrt(mse.value);
  const shareSame = same / n;
  const sortedKld = kldValues.sort((x, y) => x - y);

  return {
    count: n,
    ppl: { value: ppl, uncertainty: pplUnc },
    basePpl: { value: basePpl, uncertainty: baseUnc },
    nllCorrelation:
      lnPpl.uncertainty > 0 && lnBase.uncertainty > 0 ? cov / (lnPpl.uncertainty * lnBase.uncertainty) : 0,
    lnPplRatio: { value: lnRatio, uncertainty: lnRatioUnc },
    pplRatio: { value: ratio, uncertainty: ratio * lnRatioUnc },
    pplDelta: {
      value: ppl - basePpl,
      uncertainty: Math.sqrt(Math.max(0, pplUnc ** 2 + baseUnc ** 2 - 2 * pplCov)),
    },
    kld: {
      mean: meanAndUncertainty(sumKld, sumKld2, n),
      median: percentile(sortedKld, 50),
      p90: percentile(sortedKld, 90),
      p95: percentile(sortedKld, 95),
      p99: percentile(sortedKld, 99),
      p999: percentile(sortedKld, 99.9),
      max: sortedKld[n - 1]!,
      min: sortedKld[0]!,
    },
    deltaP: {
      mean: meanAndUncertainty(sumDp, sumDp2, n),
      rms: { value: rms, uncertainty: rms > 0 ? (0.5 / rms) * mse.uncertainty : 0 },
      max: dpMax,
      min: dpMin,
    },
    sameTop: {
      value: shareSame,
      uncertainty: n > 1 ? Math.sqrt((shareSame * (1 - shareSame)) / (n - 1)) : 0,
    },
  };
}
