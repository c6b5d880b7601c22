// Cuts a GGUF into shards in llama.cpp's split format, as tools/gguf-split writes them, streaming:
// the first shard carries all metadata, every shard carries split.no (u16), split.count (u16) and
// split.tensors.count (i32); each shard lists its own tensors with offsets from its data section,
// each tensor's data padded to 32 bytes. llama.cpp loads the first shard and finds the rest by name.
import { createHash } from "node:crypto";
import { open, type FileHandle } from "node:fs/promises";
import path from "node:path";
import { shardFileName, type SplitLimit } from "../../shared/domain/ggufSplit.js";
import { CodedError } from "../errors.js";
import { readGgufLayout, type GgufLayout, type GgufTensorLayout } from "../library/ggufLayout.js";

/** gguf-split writes with gguf_init_empty()'s alignment, GGUF_DEFAULT_ALIGNMENT, whatever the input had. */
const splitAlignment = 32;
const ggufVersion = 3;
const typeUint16 = 2;
const typeInt32 = 5;
const splitKeys = ["split.no", "split.count", "split.tensors.count"];

export interface ShardPlan {
  fileName: string;
  /** Header: metadata, tensor table, padding. */
  header: Buffer;
  tensors: GgufTensorLayout[];
  /** The whole shard file. */
  bytes: number;
}

export interface WrittenFile {
  fileName: string;
  bytes: number;
  sha256: string;
}

function pad(n: number): number {
  return Math.ceil(n / splitAlignment) * splitAlignment;
}

/** Which tensors go to which shard, by gguf-split's rules (in header order). */
function groupTensors(layout: GgufLayout, limit: SplitLimit, sourcePath: string): GgufTensorLayout[][] {
  const groups: GgufTensorLayout[][] = [[]];
  let current = 0;
  layout.tensors.forEach((tensor, i) => {
    const size = pad(tensor.bytes);
    const cut = limit.by === "size" ? current + size > limit.maxBytes : i > 0 && i % limit.maxTensors === 0;
    if (cut) {
      // (Only a size limit can leave a shard empty: the tensor alone is larger than the limit.)
      if (groups.at(-1)!.length === 0 && limit.by === "size") {
        throw new CodedError(
          "SPLIT_LIMIT_TOO_SMALL",
          `${sourcePath}: tensor "${tensor.name}" alone holds ${size} bytes, more than the ${limit.maxBytes} bytes allowed per shard`,
          { file: sourcePath },
        );
      }
      groups.push([]);
      current = size;
    } else {
      current += size;
    }
    groups.at(-1)!.push(tensor);
  });
  return groups;
}

/** One key/value pair of a scalar type, as GGUF writes it: key length, key, type, value. */
function scalarKv(key: string, type: number, size: number, write: (out: Buffer, at: number) => void): Buffer {
  const name = Buffer.from(key, "utf8");
  const out = Buffer.alloc(8 + name.length + 4 + size);
  out.writeBigUInt64LE(BigInt(name.length), 0);
  name.copy(out, 8);
  out.writeUInt32LE(type, 8 + name.length);
  write(out, 12 + name.length);
  return out;
}

function u16Kv(key: string, value: number): Buffer {
  return scalarKv(key, typeUint16, 2, (out, at) => out.writeUInt16LE(value, at));
}

function i32Kv(key: string, value: number): Buffer {
  return scalarKv(key, typeInt32, 4, (out, at) => out.writeInt32LE(value, at));
}

/** ggml_n_dims: trailing dimensions of 1 are not written (at least one is). */
function writtenShape(shape: readonly number[]): number[] {
  let n = shape.length;
  while (n > 1 && shape[n - 1] === 1) n--;
  return shape.slice(0, n);
}

function tensorInfo(tensor: GgufTensorLayout, offset: number): Buffer {
  const name = Buffer.from(tensor.name, "utf8");
  const shape = writtenShape(tensor.shape);
  const out = Buffer.alloc(8 + name.length + 4 + 8 * shape.length + 4 + 8);
  let at = out.writeBigUInt64LE(BigInt(name.length), 0);
  at += name.copy(out, at);
  at = out.writeUInt32LE(shape.length, at);
  for (const dim of shape) at = out.writeBigUInt64LE(BigInt(dim), at);
  at = out.writeInt32LE(tensor.type, at);
  out.writeBigUInt64LE(BigInt(offset), at);
  return out;
}

/**
 * The shards of `layout` (read from `sourcePath`, whose raw metadata bytes are `header`) for the
 * limit, named after `prefix` as llama.cpp names split files.
 */
export function planSplit(
  layout: GgufLayout,
  header: Buffer,
  limit: SplitLimit,
  prefix: string,
  sourcePath: string,
): ShardPlan[] {
  const groups = groupTensors(layout, limit, sourcePath);
  const count = groups.length;
  // gguf_set_val replaces a key by removing it and appending it: existing split keys move to the end.
  const copiedKvs = layout.kvs
    .filter((kv) => !splitKeys.includes(kv.key))
    .map((kv) => header.subarray(kv.start, kv.end));
  return groups.map((tensors, index) => {
    const kvs = [
      ...(index === 0 ? copiedKvs : []),
      u16Kv("split.no", index),
      // gguf-split writes split.count last: it sets a placeholder first and the real count (which
      // removes and re-appends the key) once every shard is planned.
      i32Kv("split.tensors.count", layout.tensors.length),
      u16Kv("split.count", count),
    ];
    const infos: Buffer[] = [];
    let offset = 0;
    for (const tensor of tensors) {
      infos.push(tensorInfo(tensor, offset));
      offset += pad(tensor.bytes);
    }
    const fixed = Buffer.alloc(24);
    fixed.write("GGUF", 0, "latin1");
    fixed.writeUInt32LE(ggufVersion, 4);
    fixed.writeBigUInt64LE(BigInt(tensors.length), 8);
    fixed.writeBigUInt64LE(BigInt(kvs.length), 16);
    const unpadded = Buffer.concat([fixed, ...kvs, ...infos]);
    const headerBytes = Buffer.alloc(pad(unpadded.length));
    unpadded.copy(headerBytes);
    return {
      fileName: shardFileName(prefix, index, count),
      header: headerBytes,
      tensors,
      bytes: headerBytes.length + offset,
    };
  });
}

/** The bytes of the header (everything before the tensor data) of a GGUF whose layout was read. */
async function readHeaderBytes(sourcePath: string, layout: GgufLayout): Promise<Buffer> {
  const handle = await open(sourcePath, "r");
  try {
    const buffer = Buffer.alloc(layout.dataOffset);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

export interface CopyOptions {
  signal?: AbortSignal;
  /** Called with the bytes just written. */
  onBytes?: (bytes: number) => void;
  chunkBytes?: number;
}

/** Writes one shard to `dir`, copying its tensors' data in chunks, hashing as it writes. */
export async function writeShard(
  source: FileHandle,
  shard: ShardPlan,
  dir: string,
  options: CopyOptions = {},
): Promise<WrittenFile> {
  const hash = createHash("sha256");
  const out = await open(path.join(dir, shard.fileName), "wx");
  let position = 0;
  const put = async (bytes: Buffer): Promise<void> => {
    await out.write(bytes, 0, bytes.length, position);
    hash.update(bytes);
    position += bytes.length;
    options.onBytes?.(bytes.length);
  };
  try {
    await put(shard.header);
    const buffer = Buffer.alloc(options.chunkBytes ?? 4 << 20);
    for (const tensor of shard.tensors) {
      for (let done = 0; done < tensor.bytes;) {
        options.signal?.throwIfAborted();
        const want = Math.min(buffer.length, tensor.bytes - done);
        const { bytesRead } = await source.read(buffer, 0, want, tensor.fileOffset + done);
        if (bytesRead !== want) throw new Error(`tensor "${tensor.name}": the source file ended early`);
        await put(buffer.subarray(0, want));
        done += want;
      }
      const padding = pad(tensor.bytes) - tensor.bytes;
      if (padding > 0) await put(Buffer.alloc(padding));
    }
  } finally {
    await out.close();
  }
  return { fileName: shard.fileName, bytes: position, sha256: hash.digest("hex") };
}

/** Plans the split of `sourcePath` (its header read and checked first). */
export async function planFileSplit(
  sourcePath: string,
  sizeBytes: number,
  limit: SplitLimit,
  prefix: string,
): Promise<ShardPlan[]> {
  const layout = await readGgufLayout(sourcePath, sizeBytes);
  return planSplit(layout, await readHeaderBytes(sourcePath, layout), limit, prefix, sourcePath);
}

/** Writes the planned shards of `sourcePath` into `dir`, in order. */
export async function writeShards(
  sourcePath: string,
  shards: readonly ShardPlan[],
  dir: string,
  options: CopyOptions & { onShard?: (index: number) => void } = {},
): Promise<WrittenFile[]> {
  const source = await open(sourcePath, "r");
  try {
    const written: WrittenFile[] = [];
    for (const [i, shard] of shards.entries()) {
      options.onShard?.(i);
      written.push(await writeShard(source, shard, dir, options));
    }
    return written;
  } finally {
    await source.close();
  }
}
