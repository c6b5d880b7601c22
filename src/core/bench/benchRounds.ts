// A sweep that benchmarks in rounds (every variant once per round, interleaved) records one bench
// run per variant and round. The experiment's table shows them as one measurement: the newest run
// with every metric pooled over the runs of its round set (same experiment, machine and settings),
// so the spread covers the drift between rounds too, and peak memory gets a spread of its own.
import { isDeepStrictEqual } from "node:util";
import type { Metric, RunRecord } from "../../shared/domain/run.js";
import { poolMeans } from "../../shared/metrics/stats.js";
import { interferenceOf } from "./interference.js";

export interface PooledBench extends RunRecord {
  /** How many runs were pooled. */
  rounds: number;
  /** Why the pooled runs may have been disturbed (the worst round's reasons; empty when none was). */
  noise: string[];
}

function poolMetric(name: string, runs: readonly RunRecord[]): Metric | undefined {
  const found = runs.map((run) => run.metrics.find((m) => m.name === name)).filter((m) => m !== undefined);
  if (found.length === 0) return undefined;
  if (found.length === 1) return found[0];
  const pooled = poolMeans(
    found.map((m) => ({
      mean: m.value,
      stddev: m.stddev,
      samples: m.stddev === null ? 1 : (m.samples ?? 1),
    })),
  );
  return { ...found[0]!, value: pooled.mean, stddev: pooled.stddev, samples: pooled.samples };
}

/**
 * What disturbed the rounds, short enough for a table's note: the reasons of the most disturbed
 * round, and how many of the rounds were disturbed when more than one ran.
 */
function roundsNoise(rounds: readonly RunRecord[]): string[] {
  const reasons = rounds.map((run) => interferenceOf(run.details)?.reasons ?? []);
  const disturbed = reasons.filter((r) => r.length > 0);
  if (disturbed.length === 0) return [];
  const worst = disturbed.reduce((a, b) => (b.length > a.length ? b : a));
  return rounds.length === 1 ? worst : [...worst, `${disturbed.length} of ${rounds.length} rounds disturbed`];
}

/** The newest of `runs` (newest first) pooled with the other rounds of its sweep; undefined for none. */
export function benchRounds(runs: readonly RunRecord[]): PooledBench | undefined {
  const newest = runs[0];
  if (!newest) return undefined;
  const rounds =
    newest.experimentId === null
      ? [newest]
      : runs.filter(
          (run) =>
            run.experimentId === newest.experimentId &&
            run.machineId === newest.machineId &&
            isDeepStrictEqual(run.settings, newest.settings),
        );
  const noise = roundsNoise(rounds);
  if (rounds.length === 1) return { ...newest, rounds: 1, noise };
  const metrics = newest.metrics.map((m) => poolMetric(m.name, rounds)!);
  return { ...newest, metrics, rounds: rounds.length, noise };
}
