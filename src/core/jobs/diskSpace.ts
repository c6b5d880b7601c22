// Refuses to start a job whose declared output would not fit on the disk it writes to, rather than
// failing hours later with a half-written file.
import { statfs } from "node:fs/promises";
import path from "node:path";
import { formatBytes } from "../../shared/format.js";
import { CodedError } from "../errors.js";

/** Kept free on top of the estimate: the OS, the database and logs need room too. */
export const diskSpaceMarginBytes = 256 * 1024 * 1024;

export class DiskSpaceError extends CodedError {
  constructor(
    readonly dir: string,
    readonly neededBytes: number,
    readonly freeBytes: number,
  ) {
    super(
      "DISK_FULL",
      `not enough disk space in ${dir}: the job needs about ${formatBytes(neededBytes)} ` +
        `(plus ${formatBytes(diskSpaceMarginBytes)} kept free) but only ${formatBytes(freeBytes)} is available`,
      { remedies: ["free-disk-space"] },
    );
    this.name = "DiskSpaceError";
  }
}

export async function freeBytes(dir: string): Promise<number> {
  // statfs needs an existing path; walk up to the nearest one.
  let probe = path.resolve(dir);
  for (;;) {
    try {
      const stats = await statfs(probe);
      return stats.bavail * stats.bsize;
    } catch (error) {
      const parent = path.dirname(probe);
      if ((error as NodeJS.ErrnoException).code !== "ENOENT" || parent === probe) throw error;
      probe = parent;
    }
  }
}

export async function ensureFreeSpace(dir: string, neededBytes: number): Promise<void> {
  const free = await freeBytes(dir);
  if (free < neededBytes + diskSpaceMarginBytes) throw new DiskSpaceError(dir, neededBytes, free);
}

/** Below this much free space a failed write is taken for a full disk. */
const nearlyFullBytes = 1024 * 1024;

/**
 * A DISK_FULL error when the disk under `dir`, where a failed job was writing, has next to no room
 * left, or less than the job's output needs (the writer removes its partial file on failure, which
 * frees the space again): the disk filled while it wrote. Null otherwise.
 */
export async function diskFilledDuringWrite(dir: string, outputBytes = 0): Promise<DiskFullError | null> {
  const free = await freeBytes(dir).catch(() => null);
  return free !== null && free < Math.max(nearlyFullBytes, outputBytes) ? new DiskFullError(dir, free) : null;
}

export class DiskFullError extends CodedError {
  constructor(dir: string, free: number) {
    super(
      "DISK_FULL",
      `the disk holding ${dir} filled up while the job was writing there (${formatBytes(free)} free); ` +
        "the partial output was removed",
      { remedies: ["free-disk-space"], file: dir },
    );
    this.name = "DiskFullError";
  }
}
