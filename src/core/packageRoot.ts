// The installed package's root folder, found from this file whether it runs from src/ (tsx, tests)
// or from the compiled dist/node/ tree (CLI, packaged app).
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

let cached: string | undefined;

export function packageRoot(): string {
  if (cached) return cached;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = path.join(dir, "package.json");
    if (
      existsSync(manifest) &&
      (JSON.parse(readFileSync(manifest, "utf8")) as { name?: string }).name === "compression-workbench"
    ) {
      cached = dir;
      return dir;
    }
    const parent = path.dirname(dir);
    if (parent === dir)
      throw new Error(`compression-workbench package root not found above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}
