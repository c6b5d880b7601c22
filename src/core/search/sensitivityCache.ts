// The recipe search's measured cells, cached per (model sha256, text sha256, imatrix sha256, baseline
// type, evaluation settings incl. chunks): one JSON file per key under <artifacts>/search-sensitivity/,
// holding every (group, type) cell measured so far. A re-run of the search reads it and measures only
// what is missing. Written to a temporary name and renamed, so a reader never sees half a file.
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import type { EvalSettings } from "../../shared/domain/eval.js";
import { measuredCell, type MeasuredCell } from "../../shared/domain/searchSensitivity.js";
import { baseCacheKey, baseCacheKeyId } from "../eval/baseDistributionCache.js";

/** Bumped when the way a cell is measured changes. */
const cacheFormat = "cwb-search-sensitivity-v1";

export interface SensitivityCacheKey {
  modelSha256: string;
  textSha256: string;
  imatrixSha256: string | null;
  baselineType: string;
  settings: EvalSettings;
}

const cacheFile = z.object({ format: z.literal(cacheFormat), cells: z.array(measuredCell) });

export function sensitivityCachePath(artifactsDir: string, key: SensitivityCacheKey): string {
  const id = createHash("sha256")
    .update(
      JSON.stringify([
        cacheFormat,
        key.imatrixSha256,
        key.baselineType.toUpperCase(),
        baseCacheKeyId(baseCacheKey(key.modelSha256, key.textSha256, key.settings)),
      ]),
    )
    .digest("hex")
    .slice(0, 20);
  return path.join(artifactsDir, "search-sensitivity", `${key.modelSha256.slice(0, 12)}-${id}.json`);
}

export const cellKey = (group: string, type: string): string => `${group}\u0000${type.toUpperCase()}`;

/**
 * Where the worker appends each cell as soon as it is measured (one JSON line per cell), so that the
 * cells of a job that crashes or is cancelled are not measured again.
 */
export const measuredCellsLog = (filePath: string): string =>
  `${filePath.replace(/\.json$/, "")}.cells.jsonl`;

function readLines(file: string): MeasuredCell[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return [];
  }
  // A line cut short by a crash is skipped.
  return text.split("\n").flatMap((line) => {
    try {
      const parsed = measuredCell.safeParse(JSON.parse(line));
      return parsed.success ? [parsed.data] : [];
    } catch {
      return [];
    }
  });
}

/** The cached cells by cellKey (the file, then the log); absent or unreadable files are empty. */
export function readSensitivityCache(filePath: string): Map<string, MeasuredCell> {
  let cells: MeasuredCell[] = [];
  try {
    const parsed = cacheFile.safeParse(JSON.parse(readFileSync(filePath, "utf8")));
    if (parsed.success) cells = parsed.data.cells;
  } catch {
    // No cache yet.
  }
  cells = [...cells, ...readLines(measuredCellsLog(filePath))];
  return new Map(cells.map((cell) => [cellKey(cell.group, cell.type), cell]));
}

/** Adds `cells` to the file (a re-measured cell replaces the old one). */
export function addToSensitivityCache(filePath: string, cells: readonly MeasuredCell[]): void {
  const merged = readSensitivityCache(filePath);
  for (const cell of cells) merged.set(cellKey(cell.group, cell.type), cell);
  mkdirSync(path.dirname(filePath), { recursive: true });
  const temp = `${filePath}.${process.pid}.partial`;
  writeFileSync(temp, JSON.stringify({ format: cacheFormat, cells: [...merged.values()] }));
  renameSync(temp, filePath);
  // Every logged cell is in the file now.
  rmSync(measuredCellsLog(filePath), { force: true });
}
