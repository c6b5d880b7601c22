// Moves a finished output from the job's temp folder to its final path, never over an existing
// file: a job's output appears complete or not at all.
import { existsSync } from "node:fs";
import { copyFile, link, mkdir, rename, unlink } from "node:fs/promises";
import path from "node:path";
import { CodedError } from "../errors.js";

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
      throw copyError;
    }
  }
  await unlink(tempPath);
}
