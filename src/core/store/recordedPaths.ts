// Whether a file is known to the library: a model or an artifact recorded at that path.
import type { Db } from "./Store.js";

export function isPathRecorded(db: Db, filePath: string): boolean {
  const row = db
    .prepare("SELECT 1 FROM models WHERE path = ? UNION ALL SELECT 1 FROM artifacts WHERE path = ? LIMIT 1")
    .get(filePath, filePath);
  return row !== undefined;
}
