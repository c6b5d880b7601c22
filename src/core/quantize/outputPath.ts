// Default file names for what the compression jobs write, and the refusal to overwrite: a new
// output never replaces an existing file.
import { existsSync } from "node:fs";
import path from "node:path";

/** `<dir>/<stem><suffix>`, or `<stem>-2<suffix>`, `-3`, ... when taken. */
export function freePath(dir: string, stem: string, suffix: string): string {
  const clean = stem.replace(/[^\w.+-]+/g, "_");
  for (let i = 1; ; i++) {
    const candidate = path.join(dir, `${clean}${i === 1 ? "" : `-${i}`}${suffix}`);
    if (!existsSync(candidate)) return candidate;
  }
}

/** The explicit --out, checked: absolute, not existing, its folder present. */
export function explicitOutPath(file: string): string {
  const target = path.resolve(file);
  if (existsSync(target)) throw new Error(`${target}: already exists; not overwriting it`);
  if (!existsSync(path.dirname(target)))
    throw new Error(`${path.dirname(target)}: no such folder for the output`);
  return target;
}

/** File name stem of a model path without .gguf. */
export function modelStem(modelPath: string): string {
  return path.basename(modelPath).replace(/\.gguf$/i, "");
}
