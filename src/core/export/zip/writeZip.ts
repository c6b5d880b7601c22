// Writes files into a new ZIP archive, stored (uncompressed: GGUF weights hardly compress, and a
// stored entry can be checked and extracted as a plain byte range). Streams each file in chunks,
// computing its CRC-32 as it goes, then patches the CRC into the local header already written; no
// file is ever held in memory whole. ZIP64 records appear only where sizes, offsets or the entry
// count need them. The caller writes into a staging place and renames (the archive is complete or absent).
import { open, stat } from "node:fs/promises";
import { crc32 } from "node:zlib";
import {
  centralHeader,
  dosDateTime,
  endRecords,
  localHeader,
  localHeaderCrcOffset,
  type ZipEntry,
} from "./zipRecords.js";

export interface ZipSource {
  /** The entry's name in the archive (forward slashes). */
  name: string;
  /** The file to store. */
  file: string;
}

export interface ZipWriteOptions {
  signal?: AbortSignal;
  /** Called with each chunk's size as entry data is written. */
  onBytes?: (bytes: number) => void;
  chunkBytes?: number;
}

/** Writes `sources`, in order, into a new archive at `target` (refused if it exists). */
export async function writeZip(
  target: string,
  sources: readonly ZipSource[],
  options: ZipWriteOptions = {},
): Promise<{ bytes: number; entries: ZipEntry[] }> {
  const out = await open(target, "wx");
  const buffer = Buffer.alloc(options.chunkBytes ?? 4 << 20);
  const entries: ZipEntry[] = [];
  let position = 0;
  try {
    for (const source of sources) {
      options.signal?.throwIfAborted();
      const info = await stat(source.file);
      const entry: ZipEntry = {
        name: source.name,
        size: info.size,
        crc32: 0,
        offset: position,
        mode: info.mode & 0o777,
        ...dosDateTime(info.mtime),
      };
      const header = localHeader(entry);
      await out.write(header, 0, header.length, position);
      position += header.length;
      let crc = 0;
      let copied = 0;
      const input = await open(source.file, "r");
      try {
        while (copied < entry.size) {
          options.signal?.throwIfAborted();
          const { bytesRead } = await input.read(
            buffer,
            0,
            Math.min(buffer.length, entry.size - copied),
            copied,
          );
          if (bytesRead === 0)
            throw new Error(`${source.file}: shorter than its ${entry.size} bytes while zipping`);
          const chunk = buffer.subarray(0, bytesRead);
          crc = crc32(chunk, crc);
          await out.write(chunk, 0, bytesRead, position);
          position += bytesRead;
          copied += bytesRead;
          options.onBytes?.(bytesRead);
        }
      } finally {
        await input.close();
      }
      entry.crc32 = crc;
      const crcField = Buffer.alloc(4);
      crcField.writeUInt32LE(crc >>> 0);
      await out.write(crcField, 0, 4, entry.offset + localHeaderCrcOffset);
      entries.push(entry);
    }
    const directoryOffset = position;
    for (const entry of entries) {
      const header = centralHeader(entry);
      await out.write(header, 0, header.length, position);
      position += header.length;
    }
    const end = endRecords(entries.length, directoryOffset, position - directoryOffset);
    await out.write(end, 0, end.length, position);
    position += end.length;
    await out.sync();
  } finally {
    await out.close();
  }
  return { bytes: position, entries };
}
