// Which process's queue runs a job. Several processes can share one database (the desktop app, a
// CLI foreground run), so a queue recovers only jobs whose owner is gone.
import { randomBytes } from "node:crypto";
import os from "node:os";

/** Owners of the queues open in this process (a process may open several, e.g. in tests). */
const liveOwnersHere = new Set<string>();

/** "<host>/<pid>/<random>": the random part tells apart queues of one process. */
export function newOwnerId(): string {
  return `${os.hostname()}/${process.pid}/${randomBytes(4).toString("hex")}`;
}

export function markOwnerLive(owner: string, live: boolean): void {
  if (live) liveOwnersHere.add(owner);
  else liveOwnersHere.delete(owner);
}

export function ownerPid(owner: string | null): number | null {
  const pid = Number(owner?.split("/")[1]);
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}

/**
 * False when the owning process is certainly gone. Owners on another host cannot be checked and
 * count as alive: wrongly interrupting a running job is worse than leaving a stale row.
 */
export function isOwnerAlive(owner: string | null): boolean {
  if (owner === null) return false;
  const [host] = owner.split("/");
  const pid = ownerPid(owner);
  if (pid === null) return false;
  if (host !== os.hostname()) return true;
  if (pid === process.pid) return liveOwnersHere.has(owner);
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
