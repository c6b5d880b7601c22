// The data folder of the desktop app: `--data-dir DIR` (or `--data-dir=DIR`), else $CWB_DATA_DIR,
// else Electron's userData folder, the same default the CLI computes (core/paths.ts).
import path from "node:path";
import { dataDirEnv } from "../core/paths.js";

export function dataDirFromArgv(argv: readonly string[]): string | null {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--data-dir") {
      const value = argv[i + 1];
      if (value === undefined || value.startsWith("--")) throw new Error("--data-dir needs a folder");
      return value;
    }
    if (arg?.startsWith("--data-dir=")) {
      const value = arg.slice("--data-dir=".length);
      if (value === "") throw new Error("--data-dir needs a folder");
      return value;
    }
  }
  return null;
}

export function desktopDataDir(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  userDataPath: string,
): string {
  const chosen = dataDirFromArgv(argv) ?? (env[dataDirEnv] || null) ?? userDataPath;
  return path.resolve(chosen);
}
