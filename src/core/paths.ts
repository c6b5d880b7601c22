// Where the workbench keeps its data. The default is the folder Electron's app.getPath("userData")
// gives for productName "Compression Workbench", so the desktop app and the CLI share one library.
import { mkdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";

export const productName = "Compression Workbench";
export const dataDirEnv = "CWB_DATA_DIR";

export interface DataPaths {
  readonly dataDir: string;
  readonly database: string;
  /** Variants the app writes (quantized, pruned models). */
  readonly models: string;
  readonly textSets: string;
  readonly artifacts: string;
  /** Half-written files live here until they are complete, then they are renamed into place. */
  readonly tmp: string;
}

/** The OS user-data folder, as Electron computes it (appData + productName). */
export function defaultDataDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): string {
  const home = os.homedir();
  if (platform === "win32")
    return path.join(env.APPDATA || path.join(home, "AppData", "Roaming"), productName);
  if (platform === "darwin") return path.join(home, "Library", "Application Support", productName);
  // Electron on Linux uses $XDG_CONFIG_HOME (or ~/.config) with the productName as given.
  return path.join(env.XDG_CONFIG_HOME || path.join(home, ".config"), productName);
}

/** --data-dir wins over $CWB_DATA_DIR, which wins over the OS default. */
export function resolveDataDir(explicit?: string | null, env: NodeJS.ProcessEnv = process.env): string {
  if (explicit) return path.resolve(explicit);
  const fromEnv = env[dataDirEnv];
  if (fromEnv) return path.resolve(fromEnv);
  return defaultDataDir(env);
}

export function dataPaths(dataDir: string): DataPaths {
  const root = path.resolve(dataDir);
  return {
    dataDir: root,
    database: path.join(root, "workbench.sqlite"),
    models: path.join(root, "models"),
    textSets: path.join(root, "text-sets"),
    artifacts: path.join(root, "artifacts"),
    tmp: path.join(root, "tmp"),
  };
}

/** Creates the data dir and its sub-folders if missing. */
export function ensureDataPaths(dataDir: string): DataPaths {
  const paths = dataPaths(dataDir);
  for (const dir of [paths.dataDir, paths.models, paths.textSets, paths.artifacts, paths.tmp])
    mkdirSync(dir, { recursive: true });
  return paths;
}

/** True when `file` is inside `dir` (after resolving both), false for the dir itself or outside. */
export function isInside(dir: string, file: string): boolean {
  const relative = path.relative(path.resolve(dir), path.resolve(file));
  return relative !== "" && !relative.startsWith("..") && !path.isAbsolute(relative);
}
