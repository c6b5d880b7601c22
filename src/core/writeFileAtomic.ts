// Temp file then rename: an interrupted or failed write never leaves half a file at the target.
import { renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";

export function writeFileAtomic(file: string, content: string | Uint8Array): string {
  const target = path.resolve(file);
  const temp = `${target}.partial-${process.pid}`;
  try {
    writeFileSync(temp, content);
    renameSync(temp, target);
  } catch (error) {
    rmSync(temp, { force: true });
    throw new Error(`${target}: cannot write: ${(error as Error).message}`, { cause: error });
  }
  return target;
}
