// SQLite words a full disk as "disk I/O error" (the WAL index cannot grow) or "database or disk is
// full". Either way the user needs to hear that it is the disk, and which one.
import { statfsSync } from "node:fs";
import path from "node:path";
import { formatBytes } from "../../shared/format.js";
import { CodedError } from "../errors.js";

/** Below this much free space an SQLite I/O error is taken for a full disk. */
const nearlyFullBytes = 1024 * 1024;

/** A DISK_FULL error for an SQLite error caused by a full disk under `databaseFile`; null otherwise. */
export function databaseDiskFullError(error: unknown, databaseFile: string): CodedError | null {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== "string" || !(code === "SQLITE_FULL" || code.startsWith("SQLITE_IOERR"))) return null;
  let free: number;
  try {
    const stats = statfsSync(path.dirname(databaseFile));
    free = stats.bavail * stats.bsize;
  } catch {
    return null;
  }
  // An I/O error with room to spare is some other failure: keep SQLite's words for it.
  if (code !== "SQLITE_FULL" && free >= nearlyFullBytes) return null;
  return new CodedError(
    "DISK_FULL",
    `the database ${databaseFile} cannot be written: its disk is full (${formatBytes(free)} free)`,
    { remedies: ["free-disk-space"], cause: error, file: databaseFile },
  );
}
