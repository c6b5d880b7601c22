// Refuses to start a job whose declared output would not fit on the disk it writes to, rather than
// failing hours later with a half-written file.
import { stat, statfs } from "node:fs/promises";
import path from "node:path";
import { formatBytes } from "../../shared/format.js";
import { CodedError } from "../errors.js";

/** Kept free on top of the estimate: the OS, the database and logs need room too. */
export const diskSpaceMarginBytes = 256 * 1024 * 1024;

/** The room kept free on a disk of `totalBytes`: the margin, or 2 % of a disk too small for it. */
export function keptFreeBytes(totalBytes: number): number {
  return Math.min(diskSpaceMarginBytes, Math.floor(totalBytes * 0.02));
}

export class DiskSpaceError extends CodedError {
  constructor(
    readonly dir: string,
    readonly neededBytes: number,
    readonly freeBytes: number,
    readonly keptFree: number,
  ) {
    super(
      "DISK_FULL",
      `not enough disk space in ${dir}: the job needs about ${formatBytes(neededBytes)} ` +
        `(plus ${formatBytes(keptFree)} kept free) but only ${formatBytes(freeBytes)} is available`,
      { remedies: ["free-disk-space"], file: dir },
    );
    this.name = "DiskSpaceError";
  }
}

interface DiskFacts {
  device: number;
  freeBytes: number;
  totalBytes: number;
}

/** The filesystem under `dir`, which need not exist yet (its nearest existing parent is asked). */
async function diskOf(dir: string): Promise<DiskFacts> {
  let probe = path.resolve(dir);
  for (;;) {
    try {
      const [fs, entry] = await Promise.all([statfs(probe), stat(probe)]);
      return { device: entry.dev, freeBytes: fs.bavail * fs.bsize, totalBytes: fs.blocks * fs.bsize };
    } catch (error) {
      const parent = path.dirname(probe);
      if ((error as NodeJS.ErrnoException).code !== "ENOENT" || parent === probe) throw error;
      probe = parent;
    }
  }
}

export async function freeBytes(dir: string): Promise<number> {
  return (await diskOf(dir)).freeBytes;
}

export async function ensureFreeSpace(dir: string, neededBytes: number): Promise<void> {
  const disk = await diskOf(dir);
  const keptFree = keptFreeBytes(disk.totalBytes);
  if (disk.freeBytes < neededBytes + keptFree)
    throw new DiskSpaceError(dir, neededBytes, disk.freeBytes, keptFree);
}

/**
 * Checks, before a job starts, the disk its output goes to and, when the worker writes that output
 * in the job's temp folder first (`tempDir`) on another disk, that one too: the output is copied
 * across at the end, so both need room for it.
 */
export async function ensureRoomForOutput(
  estimate: { dir: string; bytes: number },
  tempDir: string | null,
): Promise<void> {
  await ensureFreeSpace(estimate.dir, estimate.bytes);
  if (tempDir === null) return;
  const [output, temp] = await Promise.all([diskOf(estimate.dir), diskOf(tempDir)]);
  if (temp.device !== output.device) await ensureFreeSpace(tempDir, estimate.bytes);
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

/** Node's error for a write refused because the disk (or the user's quota) is full. */
export function isNoSpaceError(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return code === "ENOSPC" || code === "EDQUOT";
}

/** The DISK_FULL error for a write into `dir` that a full disk refused. */
export async function diskFullIn(dir: string): Promise<DiskFullError> {
  return new DiskFullError(dir, await freeBytes(dir).catch(() => 0));
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
