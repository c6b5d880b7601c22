// How long healing by distillation will train, before it starts. Training work grows with the
// student's parameters times the tokens trained, so a rate measured on one model carries to another
// as parameter-tokens per second. The rate comes from the distillations that succeeded on this
// machine (their training stats), else from the stated default; either way it is a range, since
// load on the machine moves it several-fold. The teacher's pass over the training text comes on
// top the first time (it is cached for later runs) and is not in the estimate.
import type { Job } from "../domain/job.js";

export interface MeasuredDistill {
  tokensPerSecond: number;
  parameterCount: number;
}

export interface DistillEstimate {
  lowSeconds: number;
  highSeconds: number;
  /** Where the rate came from: earlier runs here, or the default. */
  source: "measured" | "default";
  /** Runs the range comes from (0 for the default). */
  runs: number;
}

/**
 * The default: 350–1,700 training tokens/s measured on the 5.5 M-parameter reference model on a
 * busy 2-core machine (docs/bench.md, Distillation).
 */
export const defaultDistillRate = {
  slowTokensPerSecond: 350,
  fastTokensPerSecond: 1_700,
  parameterCount: 5_507_328,
} as const;

/** One measured run's rate can be off by its load: the range around it. */
const singleRunSpread = { fast: 1.5, slow: 0.6 } as const;

/** The training stats of succeeded distill jobs (newest first), as rates in parameter-tokens/s. */
export function measuredDistills(jobs: readonly Job[]): MeasuredDistill[] {
  const measured: MeasuredDistill[] = [];
  for (const job of jobs) {
    if (job.kind !== "distill" || job.state !== "succeeded") continue;
    const result = job.result as {
      training?: { tokensPerSecond?: number };
      model?: { metadata?: { parameterCount?: number | null } };
    } | null;
    const rate = result?.training?.tokensPerSecond;
    const params = result?.model?.metadata?.parameterCount;
    if (typeof rate === "number" && rate > 0 && typeof params === "number" && params > 0)
      measured.push({ tokensPerSecond: rate, parameterCount: params });
  }
  return measured;
}

/** Seconds to train `tokens` on a student of `parameterCount` parameters, as a range. */
export function estimateDistillSeconds(
  tokens: number,
  parameterCount: number,
  measured: readonly MeasuredDistill[],
): DistillEstimate {
  const rates = measured.slice(0, 10).map((m) => m.tokensPerSecond * m.parameterCount);
  let fast: number;
  let slow: number;
  if (rates.length === 0) {
    fast = defaultDistillRate.fastTokensPerSecond * defaultDistillRate.parameterCount;
    slow = defaultDistillRate.slowTokensPerSecond * defaultDistillRate.parameterCount;
  } else if (rates.length === 1) {
    fast = rates[0]! * singleRunSpread.fast;
    slow = rates[0]! * singleRunSpread.slow;
  } else {
    fast = Math.max(...rates);
    slow = Math.min(...rates);
  }
  const work = tokens * parameterCount;
  return {
    lowSeconds: work / fast,
    highSeconds: work / slow,
    source: rates.length === 0 ? "default" : "measured",
    runs: rates.length,
  };
}
