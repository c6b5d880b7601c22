// Seconds left for a job, from the history of its progress fractions. The rate is measured over a
// sliding window (not since the start, which a slow warm-up would distort) and smoothed, so the
// figure does not jump with every bursty progress report.
export interface EtaEstimatorOptions {
  /** Rate is measured over at least this much recent history. */
  windowMs?: number;
  /** Weight of a new rate measurement in the smoothed rate, 0..1. */
  smoothing?: number;
  /** No estimate before this much progress history exists. */
  minHistoryMs?: number;
}

interface Sample {
  at: number;
  fraction: number;
}

export class EtaEstimator {
  readonly #windowMs: number;
  readonly #smoothing: number;
  readonly #minHistoryMs: number;
  #samples: Sample[] = [];
  #rate: number | null = null;

  constructor(options: EtaEstimatorOptions = {}) {
    this.#windowMs = options.windowMs ?? 20_000;
    this.#smoothing = options.smoothing ?? 0.3;
    this.#minHistoryMs = options.minHistoryMs ?? 1_000;
  }

  /** Records a progress report; returns the estimate in seconds, or null while unknown. */
  update(fraction: number | null, at: number = Date.now()): number | null {
    if (fraction === null) return null;
    const last = this.#samples.at(-1);
    // Progress that goes backwards starts a new phase: forget the old history.
    if (last && fraction < last.fraction) this.reset();
    this.#samples.push({ at, fraction });
    while (this.#samples.length > 2 && this.#samples[1]!.at <= at - this.#windowMs) this.#samples.shift();

    const first = this.#samples[0]!;
    const span = at - first.at;
    if (span < this.#minHistoryMs) return null;
    const measured = (fraction - first.fraction) / (span / 1000);
    this.#rate = this.#rate === null ? measured : this.#rate + this.#smoothing * (measured - this.#rate);
    if (fraction >= 1) return 0;
    if (this.#rate <= 0) return null;
    return Math.max(0, (1 - fraction) / this.#rate);
  }

  reset(): void {
    this.#samples = [];
    this.#rate = null;
  }
}
