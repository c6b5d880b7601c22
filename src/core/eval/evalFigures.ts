// Turns per-position evaluation output into the reported figures and the metrics rows of a run.
// Names are dotted paths; "%" metrics are stored in percent as llama-perplexity prints them.
import type { EvalFigures } from "../../shared/domain/eval.js";
import type { Metric } from "../../shared/domain/run.js";
import {
  baseComparisonStats,
  perplexityStats,
  type BaseComparisonInput,
  type Estimate,
} from "../../shared/metrics/quality.js";

export function evalFigures(input: BaseComparisonInput): EvalFigures {
  const s = baseComparisonStats(input);
  return {
    positions: s.count,
    ppl: s.ppl,
    basePpl: s.basePpl,
    pplRatio: s.pplRatio,
    pplDelta: s.pplDelta,
    lnPplRatio: s.lnPplRatio,
    kldMean: s.kld.mean,
    kldMedian: s.kld.median,
    kldP99: s.kld.p99,
    kldP999: s.kld.p999,
    kldMax: s.kld.max,
    sameTop: s.sameTop,
    deltaPRms: s.deltaP.rms,
  };
}

/** Figures of the base against itself: its perplexity, every divergence zero. */
export function baseSelfFigures(nll: ArrayLike<number>): EvalFigures {
  const p = perplexityStats(nll);
  const zero: Estimate = { value: 0, uncertainty: 0 };
  return {
    positions: p.count,
    ppl: p.ppl,
    basePpl: p.ppl,
    pplRatio: { value: 1, uncertainty: 0 },
    pplDelta: zero,
    lnPplRatio: zero,
    kldMean: zero,
    kldMedian: 0,
    kldP99: 0,
    kldP999: 0,
    kldMax: 0,
    sameTop: { value: 1, uncertainty: 0 },
    deltaPRms: zero,
  };
}

/**
 * Metrics rows. `stddev` holds the standard uncertainty of the estimate (llama-perplexity's ±), and
 * `samples` the number of scored positions; percentiles and maxima have no uncertainty.
 */
export function evalMetrics(f: EvalFigures, evalSeconds: number): Metric[] {
  const n = f.positions;
  const est = (name: string, e: Estimate, unit: string, scale = 1): Metric => ({
    name,
    value: e.value * scale,
    unit,
    stddev: e.uncertainty * scale,
    samples: n,
  });
  const plain = (name: string, value: number, unit: string): Metric => ({
    name,
    value,
    unit,
    stddev: null,
    samples: n,
  });
  return [
    est("ppl", f.ppl, ""),
    est("ppl.base", f.basePpl, ""),
    est("ppl.ratio", f.pplRatio, ""),
    est("ppl.delta", f.pplDelta, ""),
    est("ppl.ln_ratio", f.lnPplRatio, ""),
    est("kld.mean", f.kldMean, "nat"),
    plain("kld.median", f.kldMedian, "nat"),
    plain("kld.p99", f.kldP99, "nat"),
    plain("kld.p99.9", f.kldP999, "nat"),
    plain("kld.max", f.kldMax, "nat"),
    est("top.same", f.sameTop, "%", 100),
    est("dp.rms", f.deltaPRms, "%", 100),
    { name: "eval.time", value: evalSeconds, unit: "s", stddev: null, samples: 1 },
  ];
}
