// Resident memory of this process as the OS counts it. On Linux the kernel's high-water mark
// (VmHWM in /proc/self/status) can be reset by writing "5" to /proc/self/clear_refs, so a worker
// can measure the peak of just the model and context. Elsewhere getrusage's maxRSS is the peak of
// the whole process lifetime, which is why the bench measures memory before anything else big.
import { readFileSync, writeFileSync } from "node:fs";

export type PeakSource = "VmHWM" | "maxRSS";

function procStatusBytes(field: "VmHWM" | "VmRSS"): number | null {
  if (process.platform !== "linux") return null;
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+)\\s+kB$`, "m").exec(
      readFileSync("/proc/self/status", "utf8"),
    );
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** Resident set size now, in bytes. */
export function currentRss(): number {
  return procStatusBytes("VmRSS") ?? process.memoryUsage.rss();
}

/** Peak resident set size in bytes, and where the number came from. */
export function peakRss(): { bytes: number; source: PeakSource } {
  const hwm = procStatusBytes("VmHWM");
  if (hwm !== null) return { bytes: hwm, source: "VmHWM" };
  // Node documents maxRSS in kilobytes on every platform.
  return { bytes: process.resourceUsage().maxRSS * 1024, source: "maxRSS" };
}

/** Resets the peak to the current RSS; false where the OS offers no way to. */
export function resetPeakRss(): boolean {
  if (process.platform !== "linux") return false;
  try {
    writeFileSync("/proc/self/clear_refs", "5");
    return true;
  } catch {
    return false;
  }
}
