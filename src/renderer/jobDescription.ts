// How a job is named on screen: its kind's title and the one parameter that tells jobs apart.
import type { Job } from "../shared/domain/job.js";
import { isJobKind, jobKinds } from "../shared/protocol/jobKinds.js";

export function jobTitle(job: Job): string {
  return isJobKind(job.kind) ? jobKinds[job.kind].title : job.kind;
}

export function jobSubject(job: Job): string | null {
  const params = job.params as Record<string, unknown> | null;
  const path = params?.path;
  if (typeof path === "string") return path.split(/[/\\]/).pop() ?? path;
  return null;
}

/** Seconds the job ran (so far, for a running job). */
export function jobElapsedSeconds(job: Job, now: number): number | null {
  if (!job.startedAt) return null;
  const end = job.finishedAt ? Date.parse(job.finishedAt) : now;
  return Math.max(0, (end - Date.parse(job.startedAt)) / 1000);
}
