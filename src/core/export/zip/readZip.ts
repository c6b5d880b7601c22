// Reads a ZIP archive's central directory (the end record found from the file's tail, the ZIP64 end
// record through its locator when the classic fields overflow) and streams a stored entry's bytes.
// Only what bundles use is accepted: stored entries on one disk; anything else is refused with the
// archive and, where there is one, the entry named.
import type { FileHandle } from "node:fs/promises";
import { CodedError } from "../../errors.js";
import {
  centralHeaderBytes,
  endRecordBytes,
  localHeaderBytes,
  max16,
  max32,
  signatures,
  storedMethod,
  zip64EndRecordBytes,
  zip64LocatorBytes,
} from "./zipRecords.js";

export interface ZipDirectoryEntry {
  name: string;
  size: number;
  crc32: number;
  /** Where the entry's data starts (after its local header). */
  dataOffset: number;
}

function invalid(file: string, problem: string): CodedError {
  return new CodedError("BUNDLE_INVALID", `${file}: ${problem}`, { file });
}

async function readAt(handle: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  const { bytesRead } = await handle.read(buffer, 0, length, position);
  return buffer.subarray(0, bytesRead);
}

const u64 = (b: Buffer, at: number) => Number(b.readBigUInt64LE(at));

/** The directory's entry count, offset and size, from the end record (and ZIP64's when needed). */
async function findDirectory(
  handle: FileHandle,
  file: string,
  fileBytes: number,
): Promise<{ count: number; offset: number; bytes: number }> {
  // The end record is last, followed by a comment of at most 65,535 bytes.
  const tailStart = Math.max(0, fileBytes - endRecordBytes - max16);
  const tail = await readAt(handle, tailStart, fileBytes - tailStart);
  let at = -1;
  for (let i = tail.length - endRecordBytes; i >= 0; i--) {
    if (tail.readUInt32LE(i) === signatures.endOfCentralDirectory) {
      at = i;
      break;
    }
  }
  if (at < 0) throw invalid(file, "not a zip archive (no end of central directory record)");
  const end = tail.subarray(at, at + endRecordBytes);
  if (end.readUInt16LE(4) !== 0 || end.readUInt16LE(6) !== 0)
    throw invalid(file, "a multi-disk zip archive; bundles are one file");
  let count = end.readUInt16LE(10);
  let bytes = end.readUInt32LE(12);
  let offset = end.readUInt32LE(16);
  if (count === max16 || bytes === max32 || offset === max32) {
    const locatorAt = tailStart + at - zip64LocatorBytes;
    const locator = await readAt(handle, locatorAt, zip64LocatorBytes);
    if (locator.length < zip64LocatorBytes || locator.readUInt32LE(0) !== signatures.zip64Locator)
      throw invalid(file, "the end record points to a ZIP64 record that is not there");
    const record = await readAt(handle, u64(locator, 8), zip64EndRecordBytes);
    if (
      record.length < zip64EndRecordBytes ||
      record.readUInt32LE(0) !== signatures.zip64EndOfCentralDirectory
    )
      throw invalid(file, "the ZIP64 end of central directory record is missing or damaged");
    count = u64(record, 32);
    bytes = u64(record, 40);
    offset = u64(record, 48);
  }
  if (offset + bytes > fileBytes)
    throw invalid(file, "truncated: the central directory lies past the end of the file");
  return { count, offset, bytes };
}

/** Sizes and offset from a central header, with the ZIP64 extra field's values where the classic ones overflow. */
function readZip64Extra(
  extra: Buffer,
  fields: { size: number; offset: number },
): { size: number; offset: number } {
  let at = 0;
  while (at + 4 <= extra.length) {
    const id = extra.readUInt16LE(at);
    const length = extra.readUInt16LE(at + 2);
    if (id === 0x0001) {
      let p = at + 4;
      let { size, offset } = fields;
      if (size === max32) {
        size = u64(extra, p); // uncompressed, then compressed: equal for stored entries
        p += 16;
      }
      if (offset === max32) offset = u64(extra, p);
      return { size, offset };
    }
    at += 4 + length;
  }
  return fields;
}

/** Every entry of the archive, by name, with where its data starts. */
export async function readZipDirectory(
  handle: FileHandle,
  file: string,
): Promise<Map<string, ZipDirectoryEntry>> {
  const fileBytes = (await handle.stat()).size;
  const directory = await findDirectory(handle, file, fileBytes);
  const table = await readAt(handle, directory.offset, directory.bytes);
  const entries = new Map<string, ZipDirectoryEntry>();
  let at = 0;
  for (let i = 0; i < directory.count; i++) {
    if (at + centralHeaderBytes > table.length || table.readUInt32LE(at) !== signatures.centralFile)
      throw invalid(file, `central directory entry ${i + 1} of ${directory.count} is damaged`);
    const nameLength = table.readUInt16LE(at + 28);
    const extraLength = table.readUInt16LE(at + 30);
    const commentLength = table.readUInt16LE(at + 32);
    const name = table.toString("utf8", at + centralHeaderBytes, at + centralHeaderBytes + nameLength);
    const method = table.readUInt16LE(at + 10);
    const compressed = table.readUInt32LE(at + 20);
    const size = table.readUInt32LE(at + 24);
    if (method !== storedMethod || compressed !== size)
      throw invalid(`${file}:${name}`, "compressed; bundles store their entries uncompressed");
    const extra = table.subarray(
      at + centralHeaderBytes + nameLength,
      at + centralHeaderBytes + nameLength + extraLength,
    );
    const located = readZip64Extra(extra, { size, offset: table.readUInt32LE(at + 42) });
    const local = await readAt(handle, located.offset, localHeaderBytes);
    if (local.length < localHeaderBytes || local.readUInt32LE(0) !== signatures.localFile)
      throw invalid(`${file}:${name}`, "its local header is missing or damaged");
    const dataOffset = located.offset + localHeaderBytes + local.readUInt16LE(26) + local.readUInt16LE(28);
    if (dataOffset + located.size > fileBytes)
      throw invalid(`${file}:${name}`, "truncated: its data runs past the end of the archive");
    entries.set(name, { name, size: located.size, crc32: table.readUInt32LE(at + 16), dataOffset });
    at += centralHeaderBytes + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** Streams a stored entry's bytes in chunks (the buffer is reused: copy what must outlive the call). */
export async function streamZipEntry(
  handle: FileHandle,
  entry: ZipDirectoryEntry,
  onChunk: (chunk: Buffer) => void | Promise<void>,
  options: { signal?: AbortSignal; chunkBytes?: number } = {},
): Promise<void> {
  const buffer = Buffer.alloc(Math.min(options.chunkBytes ?? 4 << 20, Math.max(1, entry.size)));
  let done = 0;
  while (done < entry.size) {
    options.signal?.throwIfAborted();
    const { bytesRead } = await handle.read(
      buffer,
      0,
      Math.min(buffer.length, entry.size - done),
      entry.dataOffset + done,
    );
    if (bytesRead === 0) break;
    await onChunk(buffer.subarray(0, bytesRead));
    done += bytesRead;
  }
}
