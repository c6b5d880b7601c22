// Proof of ownership for an output being moved into place. Before a job's output is linked (or
// copied, or renamed) to its final path, a marker beside the temp file in the job's temp folder
// records the final path and the identity the file will have there: device, inode and birth time (an
// inode number freed by a deletion is reused at once; the birth time tells the new file apart). When
// the job then ends without succeeding (a failure while recording it, or a crash: recovery at start),
// the final path is removed only if it is still that very file and nothing in the library records
// it: a user's file at that path is never touched. A filesystem without birth times gets nothing
// taken back.
import { lstatSync, readdirSync, readFileSync, type BigIntStats } from "node:fs";
import { rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { isPathRecorded } from "../store/recordedPaths.js";
import type { Db } from "../store/Store.js";

const markerSuffix = ".commit.json";

const commitMarker = z.object({
  finalPath: z.string(),
  /** The copy beside the final path when it is on another filesystem. */
  stagingPath: z.string().optional(),
  dev: z.string(),
  ino: z.string(),
  birthtimeNs: z.string(),
});
export type CommitMarker = z.infer<typeof commitMarker>;

export type FileIdentity = Pick<CommitMarker, "dev" | "ino" | "birthtimeNs">;

/** What tells a file apart from any other, now and after a link or a rename. */
export function fileIdentity(stats: BigIntStats): FileIdentity {
  return { dev: String(stats.dev), ino: String(stats.ino), birthtimeNs: String(stats.birthtimeNs) };
}

/** The marker of an output whose temp file (or staged folder) is `tempPath`, kept in `dir`. */
export function commitMarkerPath(dir: string, tempPath: string): string {
  return path.join(dir, `${path.basename(tempPath)}${markerSuffix}`);
}

export async function writeCommitMarker(markerPath: string, marker: CommitMarker): Promise<void> {
  // A marker cut short by a crash fails to parse and is ignored: nothing was moved yet.
  await writeFile(markerPath, JSON.stringify(marker));
}

function sameFile(file: string, marker: CommitMarker): boolean {
  if (marker.birthtimeNs === "0") return false;
  try {
    const now = fileIdentity(lstatSync(file, { bigint: true }));
    return now.dev === marker.dev && now.ino === marker.ino && now.birthtimeNs === marker.birthtimeNs;
  } catch {
    return false;
  }
}

function readMarkers(dir: string): CommitMarker[] {
  let entries: string[];
  try {
    entries = readdirSync(dir, { recursive: true, encoding: "utf8" });
  } catch {
    return [];
  }
  const markers: CommitMarker[] = [];
  for (const name of entries) {
    if (!name.endsWith(markerSuffix)) continue;
    try {
      const parsed = commitMarker.safeParse(JSON.parse(readFileSync(path.join(dir, name), "utf8")));
      if (parsed.success) markers.push(parsed.data);
    } catch {
      // unreadable or cut short: written before anything moved
    }
  }
  return markers;
}

/**
 * Removes what the markers in a job's temp folder moved into place and the library does not record
 * (call it only for a job that did not succeed). Returns the paths removed.
 */
export async function undoUnrecordedCommits(tempDir: string, db: Db): Promise<string[]> {
  const removed: string[] = [];
  for (const marker of readMarkers(tempDir)) {
    for (const file of [marker.stagingPath, marker.finalPath]) {
      if (!file || !sameFile(file, marker) || isPathRecorded(db, file)) continue;
      await rm(file, { recursive: true, force: true });
      removed.push(file);
    }
  }
  return removed;
}
