// The benchmarks of a sweep, planned so that their order cannot turn drift into a ranking. A speed
// measured early in a sweep and one measured late differ by whatever changed meanwhile (other jobs,
// temperature, clock frequency), so the benchmarks run
//   - last and alone: each waits for every other step of the sweep (quantize, imatrix, evaluation);
//   - one at a time, in a fixed chain: each waits for the one before it, whatever the queue's
//     concurrency;
//   - in rounds, every model once per round, the order reversed every other round (A B C, C B A,
//     A B C, …), so a steady drift shifts every model's pooled mean by about the same amount.
// Each round is a bench job of its own recording its own run; the experiment's table pools a model's
// rounds into one figure whose spread includes the difference between rounds (core/bench/benchRounds.ts).
import type { BenchSettings } from "../../shared/domain/bench.js";
import type { GraphNode } from "../jobs/JobGraph.js";
import type { SweepBenchInput } from "./sweepSteps.js";

export interface BenchTarget {
  /** The row's label ("base", "Q4_K_M"); names the steps. */
  label: string;
  /** A model that exists at planning time, or null when `quantizeStep` makes it. */
  model: { modelId: string; path: string } | null;
  quantizeStep: string | null;
}

/** The step key of a target's benchmark in a round (round 1 keeps the key sweeps always used). */
export function benchStepKey(label: string, round: number): string {
  return round === 1 ? `bench:${label}` : `bench:${label}#${round}`;
}

export function interleavedBenchSteps(
  targets: readonly BenchTarget[],
  settings: BenchSettings,
  rounds: number,
  otherSteps: readonly GraphNode[],
): GraphNode[] {
  const waitFor = otherSteps.map((node) => node.key);
  const nodes: GraphNode[] = [];
  let previous: string | null = null;
  for (let round = 1; round <= rounds; round++) {
    const order = round % 2 === 1 ? targets : [...targets].reverse();
    for (const target of order) {
      const key = benchStepKey(target.label, round);
      const input: SweepBenchInput = { settings, quantizeStep: target.quantizeStep, model: target.model };
      nodes.push({
        key,
        kind: "bench",
        hook: { name: "sweep.bench", input },
        dependsOn: previous === null ? waitFor : [...waitFor, previous],
      });
      previous = key;
    }
  }
  return nodes;
}
