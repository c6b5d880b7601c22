// A text file the user picked or dropped becomes a library text set: refused with the file named
// when it is empty, too large or not UTF-8 (a binary file would make a meaningless evaluation),
// otherwise hashed and stored once (storeTextSet).
import { createReadStream, existsSync, statSync } from "node:fs";
import path from "node:path";
import type { OfferedText } from "../../shared/domain/offeredText.js";
import { CodedError } from "../errors.js";
import { storeTextSet } from "../quantize/storeTextSet.js";
import type { Db } from "../store/Store.js";

/** Evaluation and calibration texts are a few MiB at most; far larger is a wrong file. */
export const maxTextFileBytes = 256 * 1024 * 1024;

export async function addTextFile(
  db: Db,
  dataDir: string,
  request: { path: string; purpose: "calibration" | "evaluation" },
): Promise<OfferedText> {
  const file = path.resolve(request.path);
  const name = path.basename(file);
  if (!existsSync(file) || !statSync(file).isFile())
    throw new CodedError("TEXT_SIZE_REFUSED", `${name}: no such text file`, { file });
  checkTextSize(statSync(file).size, name);
  await checkUtf8(file, name);
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

export function checkTextSize(bytes: number, name: string): void {
  if (bytes === 0) throw new CodedError("TEXT_SIZE_REFUSED", `${name} is empty`, { file: name });
  if (bytes > maxTextFileBytes)
    throw new CodedError(
      "TEXT_SIZE_REFUSED",
      `${name} is ${bytes} bytes; texts larger than ${maxTextFileBytes} bytes are refused`,
      { file: name },
    );
}

/** Strict UTF-8 decoding of the whole file; a NUL byte also marks a binary file that happens to decode. */
async function checkUtf8(file: string, name: string): Promise<void> {
  const decoder = new TextDecoder("utf-8", { fatal: true });
  try {
    for await (const chunk of createReadStream(file)) {
      const bytes = chunk as Buffer;
      if (bytes.includes(0)) throw new TypeError("NUL byte");
      decoder.decode(bytes, { stream: true });
    }
    decoder.decode();
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    throw new CodedError("TEXT_NOT_UTF8", `${name} is not UTF-8 text (a binary file or another encoding)`, {
      file,
    });
  }
}
