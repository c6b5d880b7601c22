// Whether a benchmark's figures may be disturbed by other work on the machine. While the timed part
// runs, a monitor reads the kernel's CPU counters (/proc/stat: every core's busy and stolen time;
// this process's own CPU time from process.cpuUsage) and the load average; afterwards the
// repetitions themselves are checked for spread (coefficient of variation) and drift (a trend from
// the first to the last repetition: thermal throttling, frequency scaling, a job starting beside
// it). Each finding becomes a reason in words, recorded with the run and shown wherever its figures
// are. On systems without /proc only the repetitions are checked.
import { readFileSync } from "node:fs";
import type { BenchInterference } from "../../shared/domain/bench.js";
import { benchInterference } from "../../shared/domain/bench.js";
import { coefficientOfVariation, mean } from "../../shared/metrics/stats.js";

/** Other processes keeping more than this many cores busy disturb the run. */
export const otherCpuCoresLimit = 0.3;
/** More than this share of CPU time stolen by the hypervisor disturbs the run. */
export const stealShareLimit = 0.05;
/** Repetitions spread wider than this (stddev / mean) are noisy. */
export const cvLimit = 0.1;
/** A trend from first to last repetition beyond this share of the mean is drift. */
export const driftLimit = 0.1;
/** The kernel's clock ticks per second for /proc/stat (USER_HZ, 100 on every Linux port). */
const userHz = 100;

interface CpuCounters {
  /** Busy time of all cores (user, nice, system, irq, softirq), in seconds. */
  busy: number;
  steal: number;
  total: number;
}

function readCpuCounters(): CpuCounters | null {
  try {
    const line = readFileSync("/proc/stat", "utf8").split("\n", 1)[0]!;
    const [user, nice, system, idle, iowait, irq, softirq, steal] = line
      .trim()
      .split(/\s+/)
      .slice(1)
      .map((field) => Number(field) / userHz);
    if (steal === undefined) return null;
    const busy = user! + nice! + system! + irq! + softirq!;
    return { busy, steal, total: busy + idle! + iowait! + steal };
  } catch {
    return null;
  }
}

function readLoadAverage(): number | null {
  try {
    return Number(readFileSync("/proc/loadavg", "utf8").split(" ")[0]);
  } catch {
    return null;
  }
}

function ownCpuSeconds(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
}

/** What the monitor saw between start and stop. */
export interface MachineActivity {
  readonly otherCpuCores: number | null;
  readonly stealShare: number | null;
  readonly loadAverage: { start: number; end: number } | null;
}

/** Starts watching the machine; `stop()` says how busy the rest of it was meanwhile. */
export function watchMachineActivity(): { stop: () => MachineActivity } {
  const started = process.hrtime.bigint();
  const cpu = readCpuCounters();
  const own = ownCpuSeconds();
  const load = readLoadAverage();
  return {
    stop() {
      const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
      const cpuNow = readCpuCounters();
      const loadNow = readLoadAverage();
      const measured = cpu !== null && cpuNow !== null && wallSeconds > 0;
      const otherBusy = measured ? cpuNow.busy - cpu.busy - (ownCpuSeconds() - own) : null;
      const totalDelta = measured ? cpuNow.total - cpu.total : 0;
      return {
        otherCpuCores: otherBusy === null ? null : Math.max(0, otherBusy / wallSeconds),
        stealShare: measured && totalDelta > 0 ? (cpuNow.steal - cpu.steal) / totalDelta : null,
        loadAverage: load !== null && loadNow !== null ? { start: load, end: loadNow } : null,
      };
    },
  };
}

/** (last − first) of the least-squares line through the values, over their mean; null under 3 values. */
export function relativeDrift(values: readonly number[]): number | null {
  if (values.length < 3) return null;
  const m = mean(values);
  if (m === 0) return null;
  const xMean = (values.length - 1) / 2;
  let num = 0;
  let den = 0;
  values.forEach((value, x) => {
    num += (x - xMean) * (value - m);
    den += (x - xMean) ** 2;
  });
  return ((num / den) * (values.length - 1)) / Math.abs(m);
}

const percent = (share: number): string => `${(share * 100).toFixed(0)} %`;

/**
 * The verdict on one run: what the machine did meanwhile, and how the repeated figures (named,
 * in the order they were measured) spread and drifted. `threads` are the bench's own.
 */
export function assessInterference(
  activity: MachineActivity,
  repeated: readonly { name: string; values: readonly number[] }[],
  threads: number,
): BenchInterference {
  const reasons: string[] = [];
  if (activity.otherCpuCores !== null && activity.otherCpuCores > otherCpuCoresLimit)
    reasons.push(`other processes used ${activity.otherCpuCores.toFixed(2)} CPU cores meanwhile`);
  if (activity.stealShare !== null && activity.stealShare > stealShareLimit)
    reasons.push(`the hypervisor took ${percent(activity.stealShare)} of the CPU time (steal)`);
  if (activity.loadAverage !== null) {
    const above = Math.max(activity.loadAverage.start, activity.loadAverage.end) - threads;
    if (above > 1) reasons.push(`load average ${above.toFixed(1)} above the bench's ${threads} thread(s)`);
  }
  let worstCv: { name: string; cv: number } | null = null;
  let worstDrift: { name: string; drift: number } | null = null;
  for (const { name, values } of repeated) {
    if (values.length < 2) continue;
    const cv = coefficientOfVariation(values);
    if (cv !== null && (worstCv === null || cv > worstCv.cv)) worstCv = { name, cv };
    const drift = relativeDrift(values);
    if (drift !== null && (worstDrift === null || Math.abs(drift) > Math.abs(worstDrift.drift)))
      worstDrift = { name, drift };
  }
  if (worstCv && worstCv.cv > cvLimit)
    reasons.push(
      `${worstCv.name} varied by ${percent(worstCv.cv)} (coefficient of variation) between repetitions`,
    );
  if (worstDrift && Math.abs(worstDrift.drift) > driftLimit)
    reasons.push(
      `${worstDrift.name} drifted ${worstDrift.drift > 0 ? "up" : "down"} ${percent(Math.abs(worstDrift.drift))} from first to last repetition`,
    );
  return {
    reasons,
    otherCpuCores: activity.otherCpuCores,
    stealShare: activity.stealShare,
    loadAverage: activity.loadAverage,
    worstCv: worstCv?.cv ?? null,
    worstDrift: worstDrift?.drift ?? null,
  };
}

/** The interference record in a stored run's details, when it has one. */
export function interferenceOf(details: unknown): BenchInterference | null {
  const parsed = benchInterference.safeParse((details as { interference?: unknown } | null)?.interference);
  return parsed.success ? parsed.data : null;
}
