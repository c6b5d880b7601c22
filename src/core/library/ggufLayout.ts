// Walks a GGUF file's header with bounds checks against the real file size: every key/value (decoded,
// except long string arrays such as the vocabulary, which are counted), the tensor table, and that
// every tensor's data fits in the file. The project's own reader, pure TypeScript, so the app process
// reads model metadata without node-llama-cpp or llama.cpp.
import { open, type FileHandle } from "node:fs/promises";
import { LibraryError } from "./LibraryError.js";
import { ggmlTypeName, tensorBytes } from "./ggmlTypes.js";

export interface GgufTensorLayout {
  name: string;
  type: number;
  /** ggml order, innermost first. */
  shape: number[];
  /** From the start of the file. */
  fileOffset: number;
  bytes: number;
}

/** Where one metadata key/value pair lies in the header, so it can be copied byte for byte. */
export interface GgufKvRange {
  key: string;
  /** GGUF value type (gguf.h gguf_type). */
  type: number;
  /** From the start of the file: the key's length prefix. */
  start: number;
  /** Just past the value. */
  end: number;
}

/**
 * A decoded metadata value. Integers beyond 2^53 stay bigint. Arrays longer than
 * `decodedArrayLimit` (a vocabulary's tokens, scores, merges) are not decoded: only their length and
 * item type are kept, which is all the library needs of them.
 */
export type GgufValue = number | bigint | boolean | string | readonly GgufValue[] | GgufArraySummary;

export interface GgufArraySummary {
  readonly itemType: number;
  readonly length: number;
}

/** Per-layer arrays have one item per block; anything longer is vocabulary-sized. */
const decodedArrayLimit = 1024;

export interface GgufLayout {
  version: number;
  alignment: number;
  /** Start of the tensor data section (end of header + padding). */
  dataOffset: number;
  /** Where the last tensor's data ends. */
  dataEnd: number;
  /** Metadata in file order. */
  kvs: GgufKvRange[];
  /** Metadata values by key. */
  metadata: ReadonlyMap<string, GgufValue>;
  /** In the header's order (which is not always their order in the data section). */
  tensors: GgufTensorLayout[];
}

const valueSizes: Record<number, number> = {
  0: 1,
  1: 1,
  2: 2,
  3: 2,
  4: 4,
  5: 4,
  6: 4,
  7: 1,
  10: 8,
  11: 8,
  12: 8,
};
const typeString = 8;
const typeArray = 9;
const typeUint32 = 4;
const maxDims = 4;

class Truncated extends Error {}
class Malformed extends Error {}

/** Reads a file front to back through a window, refusing to read past the end. */
class BoundedReader {
  pos = 0;
  private window = Buffer.alloc(0);
  private windowStart = 0;

  constructor(
    private readonly handle: FileHandle,
    readonly size: number,
  ) {}

  private async ensure(n: number): Promise<Buffer> {
    if (this.pos + n > this.size)
      throw new Truncated(`needs byte ${this.pos + n} of the header but the file has ${this.size}`);
    const inWindow = this.pos >= this.windowStart && this.pos + n <= this.windowStart + this.window.length;
    if (!inWindow) {
      const length = Math.min(Math.max(n, 1 << 20), this.size - this.pos);
      const buffer = Buffer.alloc(length);
      const { bytesRead } = await this.handle.read(buffer, 0, length, this.pos);
      if (bytesRead < n)
        throw new Truncated(`could read only ${bytesRead} of ${n} bytes at offset ${this.pos}`);
      this.window = buffer.subarray(0, bytesRead);
      this.windowStart = this.pos;
    }
    const start = this.pos - this.windowStart;
    this.pos += n;
    return this.window.subarray(start, start + n);
  }

  async u32(): Promise<number> {
    return (await this.ensure(4)).readUInt32LE(0);
  }

  async u64(): Promise<number> {
    const value = (await this.ensure(8)).readBigUInt64LE(0);
    if (value > BigInt(Number.MAX_SAFE_INTEGER))
      throw new Malformed(`impossible 64-bit count ${value} at offset ${this.pos - 8}`);
    return Number(value);
  }

  skip(n: number): void {
    if (this.pos + n > this.size)
      throw new Truncated(`needs byte ${this.pos + n} of the header but the file has ${this.size}`);
    this.pos += n;
  }

  /** Keys and tensor names: short by nature, so a huge length means a corrupt header. */
  async string(): Promise<string> {
    const length = await this.u64();
    if (length > 1 << 16)
      throw new Malformed(`a key or tensor name of ${length} bytes at offset ${this.pos - 8}`);
    return (await this.ensure(length)).toString("utf8");
  }

  /** A string value: chat templates run to kilobytes; a gigabyte means a corrupt header. */
  async valueString(): Promise<string> {
    const length = await this.u64();
    if (length > 1 << 26) throw new Malformed(`a string value of ${length} bytes at offset ${this.pos - 8}`);
    return (await this.ensure(length)).toString("utf8");
  }

  async bytes(n: number): Promise<Buffer> {
    return this.ensure(n);
  }

  async skipString(): Promise<void> {
    this.skip(await this.u64());
  }
}

const scalarReaders: Record<number, (b: Buffer) => number | bigint | boolean> = {
  0: (b) => b.readUInt8(0),
  1: (b) => b.readInt8(0),
  2: (b) => b.readUInt16LE(0),
  3: (b) => b.readInt16LE(0),
  4: (b) => b.readUInt32LE(0),
  5: (b) => b.readInt32LE(0),
  6: (b) => b.readFloatLE(0),
  7: (b) => b.readUInt8(0) !== 0,
  10: (b) => safeInteger(b.readBigUInt64LE(0)),
  11: (b) => safeInteger(b.readBigInt64LE(0)),
  12: (b) => b.readDoubleLE(0),
};

function safeInteger(value: bigint): number | bigint {
  return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER)
    ? Number(value)
    : value;
}

async function readValue(reader: BoundedReader, type: number, key: string): Promise<GgufValue> {
  if (type === typeString) return reader.valueString();
  if (type === typeArray) {
    const start = reader.pos;
    const itemType = await reader.u32();
    const length = await reader.u64();
    if (length > decodedArrayLimit || itemType === typeArray) {
      reader.pos = start;
      await skipValue(reader, type, key);
      return { itemType, length };
    }
    const items: GgufValue[] = [];
    for (let i = 0; i < length; i++) items.push(await readValue(reader, itemType, key));
    return items;
  }
  const size = valueSizes[type];
  const read = scalarReaders[type];
  if (size === undefined || read === undefined)
    throw new Malformed(`key "${key}" has unknown value type ${type}`);
  return read(await reader.bytes(size));
}

async function skipValue(reader: BoundedReader, type: number, key: string): Promise<void> {
  if (type === typeString) return reader.skipString();
  if (type === typeArray) {
    const itemType = await reader.u32();
    const count = await reader.u64();
    const size = valueSizes[itemType];
    if (size !== undefined) return reader.skip(size * count);
    if (itemType !== typeString && itemType !== typeArray)
      throw new Malformed(`key "${key}" has an array of unknown value type ${itemType}`);
    for (let i = 0; i < count; i++) await skipValue(reader, itemType, key);
    return;
  }
  const size = valueSizes[type];
  if (size === undefined) throw new Malformed(`key "${key}" has unknown value type ${type}`);
  reader.skip(size);
}

/** Reads and checks the layout; throws LibraryError (NOT_GGUF, TRUNCATED, BAD_METADATA, UNSUPPORTED). */
export async function readGgufLayout(filePath: string, fileSize: number): Promise<GgufLayout> {
  const handle = await open(filePath, "r");
  try {
    const reader = new BoundedReader(handle, fileSize);
    if (fileSize < 4)
      throw new LibraryError(
        "NOT_GGUF",
        `${filePath}: not a GGUF model file (only ${fileSize} bytes)`,
        filePath,
      );
    const magic = (await handle.read(Buffer.alloc(4), 0, 4, 0)).buffer.toString("latin1");
    if (magic !== "GGUF")
      throw new LibraryError(
        "NOT_GGUF",
        `${filePath}: not a GGUF model file (starts with ${JSON.stringify(magic)}, expected "GGUF")`,
        filePath,
      );
    reader.skip(4);
    try {
      return await walk(reader, filePath);
    } catch (error) {
      if (error instanceof Truncated)
        throw new LibraryError(
          "TRUNCATED",
          `${filePath}: file is truncated: its GGUF header ${error.message}`,
          filePath,
        );
      if (error instanceof Malformed)
        throw new LibraryError(
          "BAD_METADATA",
          `${filePath}: impossible GGUF metadata: ${error.message}`,
          filePath,
        );
      throw error;
    }
  } finally {
    await handle.close();
  }
}

async function walk(reader: BoundedReader, filePath: string): Promise<GgufLayout> {
  const version = await reader.u32();
  if (version !== 2 && version !== 3)
    throw new LibraryError(
      "UNSUPPORTED",
      `${filePath}: GGUF version ${version} is not supported (only 2 and 3)`,
      filePath,
    );
  const tensorCount = await reader.u64();
  const kvCount = await reader.u64();

  let alignment = 32;
  const kvs: GgufKvRange[] = [];
  const metadata = new Map<string, GgufValue>();
  for (let i = 0; i < kvCount; i++) {
    const start = reader.pos;
    const key = await reader.string();
    const type = await reader.u32();
    const value = await readValue(reader, type, key);
    if (key === "general.alignment" && type === typeUint32) {
      alignment = value as number;
      if (alignment === 0 || alignment % 8 !== 0)
        throw new Malformed(`general.alignment is ${alignment}, not a positive multiple of 8`);
    }
    if (metadata.has(key)) throw new Malformed(`key "${key}" appears twice`);
    metadata.set(key, value);
    kvs.push({ key, type, start, end: reader.pos });
  }

  const raw: { name: string; type: number; shape: number[]; offset: number }[] = [];
  for (let i = 0; i < tensorCount; i++) {
    const name = await reader.string();
    const dims = await reader.u32();
    if (dims === 0 || dims > maxDims)
      throw new Malformed(`tensor "${name}" has ${dims} dimensions (1..${maxDims} allowed)`);
    const shape: number[] = [];
    for (let d = 0; d < dims; d++) shape.push(await reader.u64());
    const type = await reader.u32();
    const offset = await reader.u64();
    raw.push({ name, type, shape, offset });
  }
  const dataOffset = Math.ceil(reader.pos / alignment) * alignment;

  const tensors: GgufTensorLayout[] = raw.map(({ name, type, shape, offset }) => {
    const bytes = tensorBytes(type, shape);
    if (typeof bytes === "string") throw new Malformed(`tensor "${name}": ${bytes}`);
    if (offset % alignment !== 0)
      throw new Malformed(`tensor "${name}" data offset ${offset} is not aligned to ${alignment}`);
    return { name, type, shape, fileOffset: dataOffset + offset, bytes };
  });

  // Tensors must not overlap: sorted by offset, each starts after the previous one ends.
  const sorted = [...tensors].sort((a, b) => a.fileOffset - b.fileOffset);
  for (let i = 1; i < sorted.length; i++) {
    const previous = sorted[i - 1]!;
    const current = sorted[i]!;
    if (current.fileOffset < previous.fileOffset + previous.bytes) {
      throw new Malformed(
        `tensor "${current.name}" overlaps tensor "${previous.name}" (${ggmlTypeName(previous.type)}, ${previous.bytes} bytes)`,
      );
    }
  }

  const dataEnd = sorted.reduce((end, t) => Math.max(end, t.fileOffset + t.bytes), dataOffset);
  // (A file without tensors may end right after its header, before the padding.)
  if (dataEnd > reader.size && sorted.length > 0) {
    // If the tensors, packed as GGUF writers pack them, would not fit either, the file was cut short;
    // otherwise one tensor's offset points past the end of an otherwise complete file.
    const packedEnd = sorted.reduce((end, t) => end + Math.ceil(t.bytes / alignment) * alignment, dataOffset);
    const last = sorted.at(-1)!;
    if (packedEnd - (Math.ceil(last.bytes / alignment) * alignment - last.bytes) > reader.size) {
      throw new LibraryError(
        "TRUNCATED",
        `${filePath}: file is truncated: it has ${reader.size} bytes but its ${tensors.length} tensors need ${dataEnd} bytes`,
        filePath,
      );
    }
    const beyond = sorted.find((t) => t.fileOffset + t.bytes > reader.size)!;
    throw new Malformed(
      `tensor "${beyond.name}" data (${beyond.bytes} bytes at offset ${beyond.fileOffset}) lies beyond the end of the file (${reader.size} bytes)`,
    );
  }
  return { version, alignment, dataOffset, dataEnd, kvs, metadata, tensors };
}
