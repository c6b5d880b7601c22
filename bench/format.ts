// Text helpers the parity benches share.
import path from "node:path";

/** A path relative to the working directory when it is inside it (no machine paths in pasted output). */
export function shownPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative.startsWith("..") || path.isAbsolute(relative) ? file : relative;
}

/** "min–max" of the values, each formatted. */
export function range(values: readonly number[], format: (v: number) => string): string {
  return `${format(Math.min(...values))}–${format(Math.max(...values))}`;
}

export const gb = (bytes: number): string => `${(bytes / 1e9).toFixed(2)} GB`;

/** "value ± half-width of its 95 % interval". */
export const ci95 = (e: { value: number; uncertainty: number }, digits: number): string =>
  `${e.value.toFixed(digits)} ± ${(1.96 * e.uncertainty).toFixed(digits)}`;

/** `cwb eval` of the files against a base on held-out text, 256-token windows. */
export function heldoutEvalArgs(
  files: string[],
  base: string,
  text: string,
  chunks: string,
  threads: string,
): string[] {
  return [
    "eval",
    ...files,
    "--base",
    base,
    "--text",
    text,
    "--ctx",
    "256",
    "--chunks",
    chunks,
    "--threads",
    threads,
  ];
}
