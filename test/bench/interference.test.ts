// Interference detection: a real busy-loop child process while the monitor watches must be seen as
// other processes' CPU time; this process's own work must not be; and the repetitions' spread and
// drift, stolen time and load are judged against their documented limits.
import { spawn } from "node:child_process";
import os from "node:os";
import { describe, expect, it } from "vitest";
import {
  assessInterference,
  relativeDrift,
  watchMachineActivity,
  type MachineActivity,
} from "../../src/core/bench/interference.js";

const quiet: MachineActivity = { otherCpuCores: 0.05, stealShare: 0, loadAverage: { start: 1, end: 1 } };

function spinFor(ms: number): void {
  const end = Date.now() + ms;
  let x = 0;
  while (Date.now() < end) x += Math.sqrt(x + 1);
}

describe.runIf(process.platform === "linux")("watchMachineActivity", () => {
  it("sees a busy child process as another process's CPU time", async () => {
    const child = spawn(process.execPath, ["-e", "for(;;){}"], { stdio: "ignore" });
    try {
      await new Promise((resolve) => setTimeout(resolve, 200)); // the child is running
      const watch = watchMachineActivity();
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const activity = watch.stop();
      // The child keeps about one core busy (less when the machine is shared, so the bound is loose).
      expect(activity.otherCpuCores).toBeGreaterThan(0.4);
      const verdict = assessInterference(activity, [], 1);
      expect(verdict.reasons.some((r) => r.startsWith("other processes used"))).toBe(true);
    } finally {
      child.kill("SIGKILL");
    }
  });

  it("does not count this process's own work as interference", () => {
    const cores = os.availableParallelism();
    const started = process.hrtime.bigint();
    const watch = watchMachineActivity();
    const before = process.cpuUsage();
    spinFor(800);
    const used = process.cpuUsage(before);
    const activity = watch.stop();
    const wall = Number(process.hrtime.bigint() - started) / 1e9;
    const ownCores = (used.user + used.system) / 1e6 / wall;
    expect(ownCores).toBeGreaterThan(0.05);
    // Others can have at most the cores we did not use; counting our own spinning as theirs would
    // exceed that bound whenever the machine is busy (as the shared test machine is).
    expect(activity.otherCpuCores).not.toBeNull();
    expect(activity.otherCpuCores!).toBeLessThan(cores - ownCores + 0.2);
  });
});

describe("assessInterference", () => {
  it("passes a quiet run with steady repetitions", () => {
    const verdict = assessInterference(quiet, [{ name: "tg.128", values: [100, 101, 99, 100] }], 2);
    expect(verdict.reasons).toEqual([]);
    expect(verdict.worstCv).toBeCloseTo(0.0082, 3);
  });

  it("names spread, drift, steal and load beyond their limits", () => {
    const verdict = assessInterference(
      { otherCpuCores: 0.1, stealShare: 0.12, loadAverage: { start: 2.5, end: 4.2 } },
      [
        { name: "pp.512", values: [1000, 1010, 990] },
        { name: "tg.128", values: [100, 90, 80, 70] },
      ],
      2,
    );
    expect(verdict.reasons).toEqual([
      "the hypervisor took 12 % of the CPU time (steal)",
      "load average 2.2 above the bench's 2 thread(s)",
      "tg.128 varied by 15 % (coefficient of variation) between repetitions",
      "tg.128 drifted down 35 % from first to last repetition",
    ]);
  });

  it("measures drift as the fitted trend from first to last repetition", () => {
    // Line 100, 90, 80, 70: slope −10 over 3 steps = −30 on a mean of 85.
    expect(relativeDrift([100, 90, 80, 70])).toBeCloseTo(-30 / 85, 10);
    expect(relativeDrift([5, 5, 5])).toBe(0);
    expect(relativeDrift([1, 2])).toBeNull();
  });
});
