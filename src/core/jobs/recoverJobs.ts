// Recovery at start, after a process that ran jobs died: its running jobs become 'interrupted' (their
// temp folders deleted, and an output moved into place but not recorded taken back: outputCommitMarker.ts), and so do its queued steps of experiments' job graphs (the experiment shows
// as interrupted until it is resumed: JobGraph.ts); its other queued jobs are adopted by this queue,
// and temp folders of jobs that no longer run anywhere are removed. Jobs of a process that is still
// alive are left alone.
import { readdir, rm } from "node:fs/promises";
import path from "node:path";
import type { Job } from "../../shared/domain/job.js";
import { dataPaths } from "../paths.js";
import { adoptQueuedJob, getJobRecord, listJobRecordsInStates, toJob } from "../store/jobs.js";
import { now } from "../store/ids.js";
import type { JobJournal } from "./JobJournal.js";
import type { JobKindHost } from "./JobKindHost.js";
import { isOwnerAlive, ownerPid } from "./jobOwner.js";
import { jobIdOfTempDir, jobTempDir } from "./jobTempDir.js";
import { undoUnrecordedCommits } from "./outputCommitMarker.js";

export interface RecoveryContext {
  journal: JobJournal;
  dataDir: string;
  /** This queue's owner id: its own jobs are never recovered. */
  owner: string;
  /** For the output a kind stages outside the temp folder (JobKindHost.stagingPath). */
  hosts?: Partial<Record<string, JobKindHost>>;
}

/**
 * Marks jobs left 'running' by a process that is gone as 'interrupted', and its queued graph steps
 * (nothing will run them until their experiment is resumed); returns them.
 */
export async function interruptOrphanedJobs({
  journal,
  dataDir,
  owner,
  hosts,
}: RecoveryContext): Promise<Job[]> {
  const recovered: Job[] = [];
  for (const record of listJobRecordsInStates(journal.db, ["queued", "running"])) {
    if (record.owner === owner || isOwnerAlive(record.owner)) continue;
    if (record.state === "queued") {
      if (record.stepKey === null) continue; // adopted instead
      const ended = journal.finish(record.id, {
        state: "interrupted",
        finishedAt: now(),
        error: "interrupted: the process that queued it stopped before it ran",
      });
      if (ended) recovered.push(toJob(getJobRecord(journal.db, record.id)!));
      continue;
    }
    // An output the dead process moved into place but did not record is taken back first.
    await undoUnrecordedCommits(jobTempDir(dataDir, record.id), journal.db);
    await rm(jobTempDir(dataDir, record.id), { recursive: true, force: true });
    const staging = hosts?.[record.kind]?.stagingPath?.(record.params as never, record.id);
    if (staging) await rm(staging, { recursive: true, force: true });
    const pid = ownerPid(record.owner);
    const ended = journal.finish(record.id, {
      state: "interrupted",
      finishedAt: now(),
      error: `interrupted: the process running it${pid ? ` (pid ${pid})` : ""} stopped before it finished`,
    });
    if (ended) recovered.push(toJob(getJobRecord(journal.db, record.id)!));
  }
  return recovered;
}

/** Takes over queued jobs whose process is gone, so this queue runs them. */
export function adoptOrphanedQueuedJobs({ journal, owner }: RecoveryContext): void {
  for (const record of listJobRecordsInStates(journal.db, ["queued"])) {
    if (record.owner !== owner && !isOwnerAlive(record.owner)) adoptQueuedJob(journal.db, record.id, owner);
  }
}

/** Temp folders of jobs that are no longer running anywhere (left by a crash of the app). */
export async function removeStrayTempDirs({ journal, dataDir }: RecoveryContext): Promise<void> {
  const tmp = dataPaths(dataDir).tmp;
  let names: string[];
  try {
    names = await readdir(tmp);
  } catch {
    return;
  }
  for (const name of names) {
    const id = jobIdOfTempDir(name);
    if (!id) continue;
    const record = getJobRecord(journal.db, id);
    if (record && (record.state === "running" || record.state === "queued")) continue;
    // Only a job known to have ended without success gives its output back.
    if (record && record.state !== "succeeded") await undoUnrecordedCommits(path.join(tmp, name), journal.db);
    await rm(path.join(tmp, name), { recursive: true, force: true });
  }
}
