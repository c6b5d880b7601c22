// The records of a ZIP file (PKWARE's APPNOTE.TXT, 4.3) that a bundle needs: stored (uncompressed)
// entries only, with the ZIP64 extensions (4.3.14-4.3.16, 4.5.3) when a size, an offset or the entry
// count does not fit the classic 16/32-bit fields. Pure Buffer arithmetic; writeZip.ts and
// readZip.ts do the file work.

export const signatures = {
  localFile: 0x04034b50,
  centralFile: 0x02014b50,
  endOfCentralDirectory: 0x06054b50,
  zip64EndOfCentralDirectory: 0x06064b50,
  zip64Locator: 0x07064b50,
} as const;

export const localHeaderBytes = 30;
export const centralHeaderBytes = 46;
export const endRecordBytes = 22;
export const zip64EndRecordBytes = 56;
export const zip64LocatorBytes = 20;
/** The classic fields' "see the ZIP64 record" values. */
export const max32 = 0xffffffff;
export const max16 = 0xffff;

const zip64ExtraId = 0x0001;
/** Version 2.0 reads stored entries; 4.5 is needed for ZIP64. */
const versionClassic = 20;
const versionZip64 = 45;
/** Upper byte of "version made by": 3 = Unix, so external attributes carry the file mode. */
const madeByUnix = 3 << 8;
/** General purpose flag bit 11: names are UTF-8. */
const utf8Names = 0x0800;
export const storedMethod = 0;

export interface ZipEntry {
  /** Forward slashes, relative. */
  name: string;
  size: number;
  crc32: number;
  /** Where its local header starts. */
  offset: number;
  /** Unix mode bits (0o644, 0o755). */
  mode: number;
  /** MS-DOS time and date of the last change (ZIP's own format). */
  dosTime: number;
  dosDate: number;
}

/** The MS-DOS time and date fields for a moment (local time, 2-second resolution, 1980 or later). */
export function dosDateTime(date: Date): { dosTime: number; dosDate: number } {
  const year = Math.max(1980, date.getFullYear());
  return {
    dosTime: (date.getHours() << 11) | (date.getMinutes() << 5) | Math.floor(date.getSeconds() / 2),
    dosDate: ((year - 1980) << 9) | ((date.getMonth() + 1) << 5) | date.getDate(),
  };
}

function writeU64(buffer: Buffer, value: number, at: number): void {
  buffer.writeBigUInt64LE(BigInt(value), at);
}

/** A local header; a ZIP64 extra field with both sizes when the entry is 4 GiB or more. */
export function localHeader(entry: ZipEntry): Buffer {
  const name = Buffer.from(entry.name, "utf8");
  const zip64 = entry.size >= max32;
  const extra = zip64 ? 20 : 0;
  const b = Buffer.alloc(localHeaderBytes + name.length + extra);
  b.writeUInt32LE(signatures.localFile, 0);
  b.writeUInt16LE(zip64 ? versionZip64 : versionClassic, 4);
  b.writeUInt16LE(utf8Names, 6);
  b.writeUInt16LE(storedMethod, 8);
  b.writeUInt16LE(entry.dosTime, 10);
  b.writeUInt16LE(entry.dosDate, 12);
  b.writeUInt32LE(entry.crc32 >>> 0, 14);
  b.writeUInt32LE(zip64 ? max32 : entry.size, 18);
  b.writeUInt32LE(zip64 ? max32 : entry.size, 22);
  b.writeUInt16LE(name.length, 26);
  b.writeUInt16LE(extra, 28);
  name.copy(b, localHeaderBytes);
  if (zip64) {
    const at = localHeaderBytes + name.length;
    b.writeUInt16LE(zip64ExtraId, at);
    b.writeUInt16LE(16, at + 2);
    writeU64(b, entry.size, at + 4);
    writeU64(b, entry.size, at + 12);
  }
  return b;
}

/** Where the CRC-32 sits in a local header (patched once the data has been streamed). */
export const localHeaderCrcOffset = 14;

/** A central directory header; the ZIP64 extra field holds whichever of size and offset overflow. */
export function centralHeader(entry: ZipEntry): Buffer {
  const name = Buffer.from(entry.name, "utf8");
  const bigSize = entry.size >= max32;
  const bigOffset = entry.offset >= max32;
  const fields = (bigSize ? 2 : 0) + (bigOffset ? 1 : 0);
  const extra = fields > 0 ? 4 + 8 * fields : 0;
  const b = Buffer.alloc(centralHeaderBytes + name.length + extra);
  const version = fields > 0 ? versionZip64 : versionClassic;
  b.writeUInt32LE(signatures.centralFile, 0);
  b.writeUInt16LE(madeByUnix | versionZip64, 4);
  b.writeUInt16LE(version, 6);
  b.writeUInt16LE(utf8Names, 8);
  b.writeUInt16LE(storedMethod, 10);
  b.writeUInt16LE(entry.dosTime, 12);
  b.writeUInt16LE(entry.dosDate, 14);
  b.writeUInt32LE(entry.crc32 >>> 0, 16);
  b.writeUInt32LE(bigSize ? max32 : entry.size, 20);
  b.writeUInt32LE(bigSize ? max32 : entry.size, 24);
  b.writeUInt16LE(name.length, 28);
  b.writeUInt16LE(extra, 30);
  b.writeUInt16LE(0, 32); // comment
  b.writeUInt16LE(0, 34); // disk
  b.writeUInt16LE(0, 36); // internal attributes
  b.writeUInt32LE(((0o100000 | entry.mode) << 16) >>> 0, 38);
  b.writeUInt32LE(bigOffset ? max32 : entry.offset, 42);
  name.copy(b, centralHeaderBytes);
  if (fields > 0) {
    let at = centralHeaderBytes + name.length;
    b.writeUInt16LE(zip64ExtraId, at);
    b.writeUInt16LE(8 * fields, at + 2);
    at += 4;
    if (bigSize) {
      writeU64(b, entry.size, at);
      writeU64(b, entry.size, at + 8);
      at += 16;
    }
    if (bigOffset) writeU64(b, entry.offset, at);
  }
  return b;
}

/**
 * The end of the archive: the classic end record, preceded by the ZIP64 end record and its locator
 * when the entry count, the directory's size or its offset overflow the classic fields.
 */
export function endRecords(count: number, directoryOffset: number, directoryBytes: number): Buffer {
  const zip64 = count >= max16 || directoryOffset >= max32 || directoryBytes >= max32;
  const parts: Buffer[] = [];
  if (zip64) {
    const record = Buffer.alloc(zip64EndRecordBytes);
    record.writeUInt32LE(signatures.zip64EndOfCentralDirectory, 0);
    writeU64(record, zip64EndRecordBytes - 12, 4);
    record.writeUInt16LE(madeByUnix | versionZip64, 12);
    record.writeUInt16LE(versionZip64, 14);
    record.writeUInt32LE(0, 16);
    record.writeUInt32LE(0, 20);
    writeU64(record, count, 24);
    writeU64(record, count, 32);
    writeU64(record, directoryBytes, 40);
    writeU64(record, directoryOffset, 48);
    const locator = Buffer.alloc(zip64LocatorBytes);
    locator.writeUInt32LE(signatures.zip64Locator, 0);
    locator.writeUInt32LE(0, 4);
    writeU64(locator, directoryOffset + directoryBytes, 8);
    locator.writeUInt32LE(1, 16);
    parts.push(record, locator);
  }
  const end = Buffer.alloc(endRecordBytes);
  end.writeUInt32LE(signatures.endOfCentralDirectory, 0);
  end.writeUInt16LE(zip64 ? max16 : count, 8);
  end.writeUInt16LE(zip64 ? max16 : count, 10);
  end.writeUInt32LE(zip64 ? max32 : directoryBytes, 12);
  end.writeUInt32LE(zip64 ? max32 : directoryOffset, 16);
  parts.push(end);
  return Buffer.concat(parts);
}
