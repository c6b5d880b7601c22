// The texts a form can offer for evaluation or calibration instead of a typed path: the library's
// text sets (recorded with their hash and size when a job used them) and the held-out texts of each
// built reference model (calibration and evaluation addresses of years its training never saw).
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import type { OfferedText } from "../../shared/domain/offeredText.js";
import { readCachedReference, referenceRoot } from "../reference/referenceCache.js";
import { listTextSets } from "../store/textSets.js";
import type { Db } from "../store/Store.js";

function yearSpan(years: readonly number[]): string {
  return years.length === 0 ? "" : ` (${Math.min(...years)}–${Math.max(...years)})`;
}

export function listOfferedTexts(db: Db, dataDir: string): OfferedText[] {
  const offered: OfferedText[] = listTextSets(db)
    .filter((set) => existsSync(set.path))
    .map((set) => ({
      name: set.name,
      path: set.path,
      bytes: set.bytes,
      sha256: set.sha256,
      purpose: set.purpose,
      source: "library" as const,
    }));
  const root = referenceRoot(dataDir);
  const folders = existsSync(root) ? readdirSync(root).sort() : [];
  for (const folder of folders) {
    const reference = readCachedReference(path.join(root, folder));
    if (!reference) continue;
    for (const [text, purpose] of [
      [reference.evalText, "evaluation"],
      [reference.calibrationText, "calibration"],
    ] as const) {
      offered.push({
        name: `${reference.name} held-out ${purpose} text${yearSpan(text.years)}`,
        path: text.path,
        bytes: text.bytes,
        sha256: null,
        purpose,
        source: "reference",
      });
    }
  }
  return offered;
}
