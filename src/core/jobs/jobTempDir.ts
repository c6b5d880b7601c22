// Where a job's worker writes its outputs and scratch files until the job ends. The run deletes the
// folder when its job ends; recovery at start deletes those a crashed process left behind.
import path from "node:path";
import { dataPaths } from "../paths.js";

export function jobTempDir(dataDir: string, jobId: string): string {
  return path.join(dataPaths(dataDir).tmp, `job-${jobId}`);
}

/** The job id of a folder named by jobTempDir, or undefined for any other name. */
export function jobIdOfTempDir(name: string): string | undefined {
  return /^job-(.+)$/.exec(name)?.[1];
}
