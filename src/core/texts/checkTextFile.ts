// Whether a file can be an evaluation or calibration text: it exists, is not empty or absurdly
// large, and is UTF-8 without NUL bytes (a binary file would make a meaningless evaluation or
// importance matrix). Every way a text enters (texts.add, cwb imatrix, cwb eval) asks this first.
import { createReadStream, existsSync, statSync } from "node:fs";
import path from "node:path";
import { CodedError } from "../errors.js";

/** Evaluation and calibration texts are a few MiB at most; far larger is a wrong file. */
export const maxTextFileBytes = 256 * 1024 * 1024;

/** Refuses, naming the file, a text that is missing, empty, too large or not UTF-8. */
export async function checkTextFile(file: string): Promise<void> {
  const resolved = path.resolve(file);
  const name = path.basename(resolved);
  if (!existsSync(resolved) || !statSync(resolved).isFile())
    throw new CodedError("TEXT_SIZE_REFUSED", `${resolved}: no such text file`, { file: resolved });
  checkTextSize(statSync(resolved).size, name);
  await checkUtf8(resolved, name);
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
