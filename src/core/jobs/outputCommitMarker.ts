// Proof of ownership for an output being moved into place. Before a job's output is linked (or
// copied, or renamed) to its final path, a marker beside the temp file in the job's temp folder
// records the final path and the device and inode the file will have there. When the job then ends
// without succeeding (a failure while recording it, or a crash: recovery at start), the final path is
// removed only if it still holds that very inode and nothing in the library records it: a user's
// file at that path has another inode and is never touched.
import { lstatSync, readdirSync, readFileSync } from "node:fs";
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
  dev: z.number(),
  ino: z.number(),
});
export type CommitMarker = z.infer<typeof commitMarker>;

/** The marker of an output whose temp file (or staged folder) is `tempPath`, kept in `dir`. */
export function commitMarkerPath(dir: string, tempPath: string): string {
  return path.join(dir, `${path.basename(tempPath)}${markerSuffix}`);
}

export async function writeCommitMarker(markerPath: string, marker: CommitMarker): Promise<void> {
  // A marker cut short by a crash fails to parse and is ignored: nothing was moved yet.
  await writeFile(markerPath, JSON.stringify(marker));
}

function sameFile(file: string, marker: CommitMarker): boolean {
  try {
    const stat = lstatSync(file);
    return stat.dev === marker.dev && stat.ino === marker.ino;
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
