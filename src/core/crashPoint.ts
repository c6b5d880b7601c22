// A test hook: named moments at which the process kills itself with SIGKILL, so the crash harness
// (bench/crash/crashPoints.ts) can land a kill inside windows too short for random timing: between
// an output's link and its record, inside a SQLite transaction. Set CWB_CRASH_AT=<point>[:<n>] to
// die at the n-th time (default 1) this process reaches <point>. Unset, a point is one comparison.
const wanted = parseCrashAt(process.env.CWB_CRASH_AT);
let hits = 0;

function parseCrashAt(value: string | undefined): { point: string; nth: number } | null {
  if (!value) return null;
  const [point = "", nth] = value.split(":");
  const n = nth === undefined ? 1 : Number(nth);
  if (!point || !Number.isInteger(n) || n < 1)
    throw new Error(`CWB_CRASH_AT=${value}: expected <point>[:<n>] with n a positive integer`);
  return { point, nth: n };
}

export function crashPoint(point: string): void {
  if (wanted === null || wanted.point !== point) return;
  if (++hits === wanted.nth) process.kill(process.pid, "SIGKILL");
}
