// A sweep's benchmark rounds shown as one measurement: the newest run with its metrics pooled over
// the rounds of the same experiment, machine and settings, and what disturbed the worst round.
import { describe, expect, it } from "vitest";
import type { Metric, RunRecord } from "../../src/shared/domain/run.js";
import { benchRounds } from "../../src/core/bench/benchRounds.js";
import { summarize } from "../../src/shared/metrics/stats.js";

const interference = (reasons: string[]) => ({
  interference: {
    reasons,
    otherCpuCores: 0,
    stealShare: 0,
    loadAverage: null,
    worstCv: null,
    worstDrift: null,
  },
});

function run(id: string, tg: number[], peakRss: number, extra: Partial<RunRecord> = {}): RunRecord {
  const s = summarize(tg);
  const metrics: Metric[] = [
    { name: "tg.64", value: s.mean, unit: "tok/s", stddev: s.stddev, samples: s.samples },
    { name: "memory.peak_rss", value: peakRss, unit: "B", stddev: null, samples: null },
  ];
  return {
    id,
    kind: "bench",
    modelId: "m",
    baseModelId: null,
    textSetId: null,
    experimentId: "e1",
    jobId: null,
    machineId: "machine",
    llamaBuild: "b",
    nodeLlamaCpp: "v",
    settings: { reps: 3 },
    details: interference([]),
    createdAt: "2026-01-01T00:00:00Z",
    metrics,
    ...extra,
  };
}

describe("benchRounds", () => {
  it("pools the rounds of one sweep as if all repetitions were one sample, and says what disturbed them", () => {
    const newest = run("r2", [90, 95, 100], 110e6, { details: interference(["tg.64 drifted down 11 %"]) });
    const older = run("r1", [120, 118, 122], 100e6);
    const otherSweep = run("r0", [10, 10, 10], 1e6, { experimentId: "e0" });
    const pooled = benchRounds([newest, older, otherSweep])!;
    const all = summarize([90, 95, 100, 120, 118, 122]);
    const tg = pooled.metrics.find((m) => m.name === "tg.64")!;
    expect(pooled.rounds).toBe(2);
    expect(tg.value).toBeCloseTo(all.mean, 10);
    expect(tg.stddev).toBeCloseTo(all.stddev!, 10);
    expect(tg.samples).toBe(6);
    // Peak memory, one figure per round, gets a spread from the two rounds.
    expect(pooled.metrics.find((m) => m.name === "memory.peak_rss")).toMatchObject({
      value: 105e6,
      stddev: summarize([100e6, 110e6]).stddev,
      samples: 2,
    });
    expect(pooled.noise).toEqual(["tg.64 drifted down 11 %", "1 of 2 rounds disturbed"]);
  });

  it("leaves a run of other settings or outside a sweep alone", () => {
    const alone = benchRounds([
      run("r2", [90, 95, 100], 1, { experimentId: null }),
      run("r1", [1, 2, 3], 1),
    ])!;
    expect(alone.rounds).toBe(1);
    expect(alone.metrics[0]!.samples).toBe(3);
    const otherSettings = benchRounds([
      run("r2", [90, 95, 100], 1),
      run("r1", [1, 2, 3], 1, { settings: { reps: 5 } }),
    ])!;
    expect(otherSettings.rounds).toBe(1);
  });
});
