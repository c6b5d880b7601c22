// Where built reference models live: <dataDir>/reference/<variant>-<recipe hash>/ holding model.gguf,
// calibration.txt, eval.txt and result.json. A folder appears complete (renamed into place) or not
// at all; a lock file keeps two processes from building the same recipe at once.
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import path from "node:path";
import {
  referenceModelResult,
  type ReferenceModelResult,
  type ReferenceVariant,
} from "../../shared/domain/referenceModel.js";

export const referenceFiles = {
  model: "model.gguf",
  calibration: "calibration.txt",
  eval: "eval.txt",
  result: "result.json",
} as const;

/** Name of the folder the build job fills inside its temp folder before it is moved into the cache. */
export const referenceBuildFolder = "reference";

export function referenceRoot(dataDir: string): string {
  return path.join(path.resolve(dataDir), "reference");
}

export function referenceDir(dataDir: string, variant: ReferenceVariant, hash: string): string {
  return path.join(referenceRoot(dataDir), `${variant}-${hash}`);
}

/** The cached result, with paths pointing into `dir`, or null when missing or incomplete. */
export function readCachedReference(dir: string): ReferenceModelResult | null {
  const resultFile = path.join(dir, referenceFiles.result);
  if (!existsSync(resultFile)) return null;
  for (const f of [referenceFiles.model, referenceFiles.calibration, referenceFiles.eval]) {
    if (!existsSync(path.join(dir, f))) return null;
  }
  const parsed = referenceModelResult.safeParse(JSON.parse(readFileSync(resultFile, "utf8")));
  if (!parsed.success) return null;
  return { ...withPaths(parsed.data, dir), cached: true };
}

/** The result with every path pointing into `dir`. */
export function withPaths(result: ReferenceModelResult, dir: string): ReferenceModelResult {
  return {
    ...result,
    dir,
    modelPath: path.join(dir, referenceFiles.model),
    calibrationText: { ...result.calibrationText, path: path.join(dir, referenceFiles.calibration) },
    evalText: { ...result.evalText, path: path.join(dir, referenceFiles.eval) },
  };
}

/** Moves a finished build folder into place, replacing an older build of the same recipe. */
export function installReferenceDir(builtDir: string, finalDir: string): void {
  mkdirSync(path.dirname(finalDir), { recursive: true });
  const old = `${finalDir}.old-${process.pid}`;
  const hadOld = existsSync(finalDir);
  if (hadOld) renameSync(finalDir, old);
  try {
    renameSync(builtDir, finalDir);
  } catch (error) {
    if (hadOld) renameSync(old, finalDir);
    throw error;
  }
  if (hadOld) rmSync(old, { recursive: true, force: true });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Takes `<dir>.lock`, waiting while another live process holds it (a lock left by a dead process is
 * taken over). Returns the release function.
 */
export async function lockReference(
  dir: string,
  options: { signal?: AbortSignal; onWait?: (pid: number) => void } = {},
): Promise<() => void> {
  mkdirSync(path.dirname(dir), { recursive: true });
  const lockFile = `${dir}.lock`;
  let announced = false;
  for (;;) {
    options.signal?.throwIfAborted();
    try {
      const fd = openSync(lockFile, "wx");
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => {
        try {
          if (readFileSync(lockFile, "utf8") === String(process.pid)) unlinkSync(lockFile);
        } catch {
          // already gone
        }
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    let holder: number;
    try {
      holder = Number(readFileSync(lockFile, "utf8"));
    } catch {
      continue; // released between our attempts
    }
    if (!Number.isInteger(holder) || holder <= 0 || !alive(holder)) {
      rmSync(lockFile, { force: true });
      continue;
    }
    if (!announced) {
      options.onWait?.(holder);
      announced = true;
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}
