// Moves a finished output from the job's temp folder to its final path, never over an existing
// file: a job's output appears complete or not at all. A marker written first (outputCommitMarker.ts)
// lets a job that dies before recording the output take it back.
import { existsSync } from "node:fs";
import { copyFile, link, mkdir, open, rename, stat, unlink } from "node:fs/promises";
import path from "node:path";
import { crashPoint } from "../crashPoint.js";
import { CodedError } from "../errors.js";
import { diskFullIn, isNoSpaceError } from "./diskSpace.js";
import { commitMarkerPath, fileIdentity, writeCommitMarker } from "./outputCommitMarker.js";

export class OutputExistsError extends CodedError {
  constructor(file: string) {
    super("OUTPUT_EXISTS", `${file}: already exists; not overwriting it`, {
      file,
      remedies: ["choose-other-output"],
    });
    this.name = "OutputExistsError";
  }
}

export async function commitOutput(tempPath: string, finalPath: string): Promise<void> {
  await mkdir(path.dirname(finalPath), { recursive: true });
  const marker = commitMarkerPath(path.dirname(tempPath), tempPath);
  await writeCommitMarker(marker, { finalPath, ...fileIdentity(await stat(tempPath, { bigint: true })) });
  crashPoint("commit.before-link");
  try {
    // link() fails with EEXIST instead of replacing, unlike rename().
    await link(tempPath, finalPath);
    crashPoint("commit.linked");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EEXIST") throw new OutputExistsError(finalPath);
    if (code !== "EXDEV" && code !== "EPERM" && code !== "ENOTSUP") throw error;
    // Another filesystem (or no hard links): copy beside the target, then rename into place.
    if (existsSync(finalPath)) throw new OutputExistsError(finalPath);
    const staging = `${finalPath}.partial-${process.pid}`;
    // Created exclusively and marked before the copy fills it: only this file is ever taken back.
    const created = await open(staging, "wx");
    try {
      const staged = fileIdentity(await created.stat({ bigint: true }));
      await created.close();
      await writeCommitMarker(marker, { finalPath, stagingPath: staging, ...staged });
      crashPoint("commit.copy-created");
      await copyFile(tempPath, staging);
      crashPoint("commit.copied");
      await rename(staging, finalPath);
      crashPoint("commit.renamed");
    } catch (copyError) {
      await unlink(staging).catch(() => undefined);
      throw isNoSpaceError(copyError) ? await diskFullIn(path.dirname(finalPath)) : copyError;
    }
  }
  await unlink(tempPath);
}

/**
 * Moves a finished output of a cache into place; when the target exists, the record another job
 * made for it wins (`recorded()`), and a file nobody recorded is refused rather than guessed at.
 * Returns that record, or null when this output was moved into place.
 */
export async function commitCachedOutput<T>(
  tempPath: string,
  finalPath: string,
  recorded: () => T | undefined | null,
): Promise<T | null> {
  try {
    await commitOutput(tempPath, finalPath);
    return null;
  } catch (error) {
    if (!(error instanceof OutputExistsError)) throw error;
    const existing = recorded();
    if (existing) return existing;
    throw error;
  }
}
