// A text file the user picked or dropped becomes a library text set: storeTextSet refuses it with
// the file named when it is empty, too large or not UTF-8, otherwise hashes and stores it once.
import path from "node:path";
import type { OfferedText } from "../../shared/domain/offeredText.js";
import { storeTextSet } from "../quantize/storeTextSet.js";
import type { Db } from "../store/Store.js";

export async function addTextFile(
  db: Db,
  dataDir: string,
  request: { path: string; purpose: "calibration" | "evaluation" },
): Promise<OfferedText> {
  const file = path.resolve(request.path);
  const { textSet } = await storeTextSet(db, dataDir, file, request.purpose);
  return {
    name: textSet.name,
    path: textSet.path,
    bytes: textSet.bytes,
    sha256: textSet.sha256,
    purpose: textSet.purpose,
    source: "library",
  };
}
