// Calibration texts are stored once: hashed, copied into <dataDir>/text-sets/ and recorded in the
// text_sets table. The same content given again (any path or name) returns the existing set, so
// every imatrix and variant made from it points at one copy. A file that cannot be a text (missing,
// empty, too large, not UTF-8) is refused with a coded error naming it before anything is stored.
import { copyFileSync, existsSync, renameSync, unlinkSync } from "node:fs";
import path from "node:path";
import { sha256File } from "../library/hashFile.js";
import { ensureDataPaths } from "../paths.js";
import { checkTextFile } from "../texts/checkTextFile.js";
import type { Db } from "../store/Store.js";
import { getTextSetBySha256, insertTextSet, type TextSet, type TextSetPurpose } from "../store/textSets.js";

export async function storeTextSet(
  db: Db,
  dataDir: string,
  file: string,
  purpose: TextSetPurpose = "calibration",
): Promise<{ textSet: TextSet; added: boolean }> {
  const source = path.resolve(file);
  await checkTextFile(source);
  const { sha256, bytes } = await sha256File(source);
  const existing = getTextSetBySha256(db, sha256);
  if (existing && existsSync(existing.path)) return { textSet: existing, added: false };

  const dir = ensureDataPaths(dataDir).textSets;
  const target = path.join(dir, `${sha256.slice(0, 12)}-${path.basename(source).replace(/[^\w.-]+/g, "_")}`);
  if (!existsSync(target)) {
    const temp = `${target}.partial-${process.pid}`;
    try {
      copyFileSync(source, temp);
      renameSync(temp, target);
    } catch (error) {
      if (existsSync(temp)) unlinkSync(temp);
      throw new Error(`${target}: cannot store the text set: ${(error as Error).message}`, { cause: error });
    }
  }
  if (existing) {
    // The recorded copy went missing: point the record at the fresh copy.
    db.prepare("UPDATE text_sets SET path = ? WHERE id = ?").run(target, existing.id);
    return { textSet: { ...existing, path: target }, added: false };
  }
  const textSet = insertTextSet(db, { name: path.basename(source), purpose, sha256, path: target, bytes });
  return { textSet, added: true };
}
