// Moves a finished output from the job's temp folder to its final path, never over an existing
// file: a job's output appears complete or not at all.
import { existsSync } from "node:fs";
import { copyFile, link, mkdir, rename, unlink } from "node:fs/promises";
import path from "node:path";
import { CodedError } from "../errors.js";
import { diskFullIn, isNoSpaceError } from "./diskSpace.js";

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
  try {
    // link() fails with EEXIST instead of replacing, unlike rename().
    await link(tempPath, finalPath);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EEXIST") throw new OutputExistsError(finalPath);
    if (code !== "EXDEV" && code !== "EPERM" && code !== "ENOTSUP") throw error;
    // Another filesystem (or no hard links): copy beside the target, then rename into place.
    if (existsSync(finalPath)) throw new OutputExistsError(finalPath);
    const staging = `${finalPath}.partial-${process.pid}`;
    try {
      await copyFile(tempPath, staging);
      await rename(staging, finalPath);
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
