// Seeded mutations of a valid GGUF file, aimed at its structure rather than at random bytes: bit
// flips inside one section, truncation at section boundaries, absurd counts, lengths, dimensions,
// offsets and types, duplicated keys and tensors, and metadata values swapped for another type.
// Mutations that change the header's size rebuild the file so the tensor data stays aligned behind
// it, so a reader gets past the change and meets the inconsistency it creates.
import type { GgufLayout } from "../../src/core/library/ggufLayout.js";

/** Where each part of a seed file lies, from its layout (which the project's reader produced). */
export interface GgufSections {
  bytes: Buffer;
  alignment: number;
  kvs: { start: number; end: number; keyEnd: number; type: number }[];
  tensorInfos: {
    start: number;
    dimsAt: number;
    dims: number;
    typeAt: number;
    offsetAt: number;
    end: number;
  }[];
  headerEnd: number;
  dataOffset: number;
  tensorData: { start: number; bytes: number }[];
}

export function ggufSections(bytes: Buffer, layout: GgufLayout): GgufSections {
  const kvs = layout.kvs.map((kv) => ({
    start: kv.start,
    end: kv.end,
    keyEnd: kv.start + 8 + Buffer.byteLength(kv.key),
    type: kv.type,
  }));
  let pos = kvs.at(-1)?.end ?? 24;
  const tensorInfos = layout.tensors.map((tensor) => {
    const start = pos;
    const dimsAt = start + 8 + Buffer.byteLength(tensor.name);
    const typeAt = dimsAt + 4 + 8 * tensor.shape.length;
    pos = typeAt + 12;
    return { start, dimsAt, dims: tensor.shape.length, typeAt, offsetAt: typeAt + 4, end: pos };
  });
  return {
    bytes,
    alignment: layout.alignment,
    kvs,
    tensorInfos,
    headerEnd: pos,
    dataOffset: layout.dataOffset,
    tensorData: layout.tensors.map((t) => ({ start: t.fileOffset, bytes: t.bytes })),
  };
}

export const mutationKinds = [
  "flip-header",
  "flip-kv",
  "flip-tensor-info",
  "truncate",
  "absurd-count",
  "absurd-string-length",
  "absurd-dims",
  "absurd-type",
  "absurd-offset",
  "duplicate-kv",
  "duplicate-tensor",
  "retype-kv",
  "stacked",
] as const;
export type MutationKind = (typeof mutationKinds)[number];

export interface Mutation {
  kind: MutationKind;
  /** What was done, precise enough to redo it by hand. */
  detail: string;
  bytes: Buffer;
}

const absurd64 = [0n, 1n, 255n, 2n ** 31n, 2n ** 32n, 2n ** 53n + 1n, 2n ** 63n - 1n, 2n ** 64n - 1n];
const absurdTypes = [4, 5, 13, 39, 40, 255, 1000, 2 ** 31, 2 ** 32 - 1];

export function mutateGguf(sections: GgufSections, random: () => number, kind?: MutationKind): Mutation {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const chosen = kind ?? pick(mutationKinds);
  if (chosen === "stacked") {
    let current = sections;
    const details: string[] = [];
    const steps = 2 + Math.floor(random() * 2);
    let bytes = sections.bytes;
    for (let i = 0; i < steps; i++) {
      // Later steps work on the bytes of earlier ones; layout-based offsets stay those of the seed,
      // which is the point: the second change lands wherever the first one moved things.
      const step = mutateGguf(current, random, pick(mutationKinds.filter((k) => k !== "stacked")));
      details.push(`${step.kind}(${step.detail})`);
      bytes = step.bytes;
      current = { ...current, bytes };
    }
    return { kind: chosen, detail: details.join(" then "), bytes };
  }
  const out = Buffer.from(sections.bytes);
  const flipIn = (start: number, end: number): string => {
    const at = start + Math.floor(random() * Math.max(1, Math.min(end, out.length) - start));
    const bit = Math.floor(random() * 8);
    if (at < out.length) out[at]! ^= 1 << bit;
    return `bit ${bit} of byte ${at}`;
  };
  switch (chosen) {
    case "flip-header":
      return { kind: chosen, detail: flipIn(0, 24), bytes: out };
    case "flip-kv":
      return { kind: chosen, detail: flipIn(24, sections.kvs.at(-1)?.end ?? 24), bytes: out };
    case "flip-tensor-info":
      return {
        kind: chosen,
        detail: flipIn(sections.tensorInfos[0]?.start ?? 24, sections.headerEnd),
        bytes: out,
      };
    case "truncate": {
      const boundaries = [
        0,
        4,
        8,
        16,
        24,
        ...sections.kvs.flatMap((kv) => [kv.start, kv.keyEnd, kv.keyEnd + 4, kv.end - 1]),
        ...sections.tensorInfos.flatMap((t) => [t.start, t.dimsAt, t.typeAt, t.offsetAt, t.end - 1]),
        sections.headerEnd,
        sections.dataOffset,
        ...sections.tensorData.flatMap((t) => [
          t.start,
          t.start + Math.floor(t.bytes / 2),
          t.start + t.bytes - 1,
        ]),
        sections.bytes.length - 1,
      ].filter((at) => at >= 0 && at < sections.bytes.length);
      const at = pick(boundaries);
      return {
        kind: chosen,
        detail: `cut at byte ${at} of ${sections.bytes.length}`,
        bytes: out.subarray(0, at),
      };
    }
    case "absurd-count": {
      const field = pick([8, 16] as const);
      const value = pick(absurd64);
      put64(out, value, field);
      return { kind: chosen, detail: `${field === 8 ? "tensor" : "key/value"} count = ${value}`, bytes: out };
    }
    case "absurd-string-length": {
      const kv = pick(sections.kvs);
      const value = pick(absurd64);
      // The key's own length prefix, or the value's when the value is a string (type 8).
      const at = kv.type === 8 && random() < 0.5 ? kv.keyEnd + 4 : kv.start;
      put64(out, value, at);
      return { kind: chosen, detail: `string length at byte ${at} = ${value}`, bytes: out };
    }
    case "absurd-dims": {
      const tensor = pick(sections.tensorInfos);
      if (random() < 0.4) {
        const dims = pick([0, 5, 8, 2 ** 32 - 1]);
        put32(out, dims, tensor.dimsAt);
        return { kind: chosen, detail: `dimension count at byte ${tensor.dimsAt} = ${dims}`, bytes: out };
      }
      const at = tensor.dimsAt + 4 + 8 * Math.floor(random() * tensor.dims);
      const value = pick(absurd64);
      put64(out, value, at);
      return { kind: chosen, detail: `dimension at byte ${at} = ${value}`, bytes: out };
    }
    case "absurd-type": {
      const value = pick(absurdTypes);
      if (random() < 0.5) {
        const tensor = pick(sections.tensorInfos);
        put32(out, value >>> 0, tensor.typeAt);
        return { kind: chosen, detail: `tensor type at byte ${tensor.typeAt} = ${value}`, bytes: out };
      }
      const kv = pick(sections.kvs);
      put32(out, value >>> 0, kv.keyEnd);
      return { kind: chosen, detail: `value type at byte ${kv.keyEnd} = ${value}`, bytes: out };
    }
    case "absurd-offset": {
      const tensor = pick(sections.tensorInfos);
      const current = tensor.offsetAt + 8 <= out.length ? out.readBigUInt64LE(tensor.offsetAt) : 0n;
      const value = pick([
        0n,
        current + 1n,
        current + BigInt(sections.alignment),
        BigInt(sections.bytes.length) * 2n,
        2n ** 53n,
        2n ** 63n,
        2n ** 64n - BigInt(sections.alignment),
      ]);
      put64(out, value, tensor.offsetAt);
      return { kind: chosen, detail: `data offset at byte ${tensor.offsetAt} = ${value}`, bytes: out };
    }
    case "duplicate-kv": {
      const kv = pick(sections.kvs);
      const copy = sections.bytes.subarray(kv.start, kv.end);
      const bytes = rebuildHeader(sections, kv.end, copy, 16);
      return { kind: chosen, detail: `key/value at byte ${kv.start} repeated`, bytes };
    }
    case "duplicate-tensor": {
      const tensor = pick(sections.tensorInfos);
      const copy = sections.bytes.subarray(tensor.start, tensor.end);
      const bytes = rebuildHeader(sections, tensor.end, copy, 8);
      return { kind: chosen, detail: `tensor info at byte ${tensor.start} repeated`, bytes };
    }
    case "retype-kv": {
      const kv = pick(sections.kvs);
      const [label, value] = pick(otherTypedValues);
      const replacement = Buffer.concat([sections.bytes.subarray(kv.start, kv.keyEnd), value]);
      const bytes = replaceInHeader(sections, kv.start, kv.end, replacement);
      return { kind: chosen, detail: `value of the key at byte ${kv.start} replaced by ${label}`, bytes };
    }
  }
}

/** Writes that land past the end (a stacked step after a truncation) are skipped. */
function put64(out: Buffer, value: bigint, at: number): void {
  if (at + 8 <= out.length) out.writeBigUInt64LE(BigInt.asUintN(64, value), at);
}
function put32(out: Buffer, value: number, at: number): void {
  if (at + 4 <= out.length) out.writeUInt32LE(value >>> 0, at);
}

function u32(value: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(value >>> 0);
  return b;
}
function u64(value: bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(value);
  return b;
}
function str(text: string): Buffer {
  const bytes = Buffer.from(text);
  return Buffer.concat([u64(BigInt(bytes.length)), bytes]);
}
function f32(value: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeFloatLE(value);
  return b;
}

/** Encoded values (type id + value) of every GGUF type, to put where another type belongs. */
const otherTypedValues: readonly (readonly [string, Buffer])[] = [
  ["u32 0", Buffer.concat([u32(4), u32(0)])],
  ["u32 4294967295", Buffer.concat([u32(4), u32(2 ** 32 - 1)])],
  ["i32 -1", Buffer.concat([u32(5), u32(-1)])],
  ["f32 NaN", Buffer.concat([u32(6), f32(Number.NaN)])],
  ["bool 2", Buffer.concat([u32(7), Buffer.from([2])])],
  ["string ''", Buffer.concat([u32(8), str("")])],
  ["string 'llama'", Buffer.concat([u32(8), str("llama")])],
  ["u64 2^63", Buffer.concat([u32(10), u64(2n ** 63n)])],
  ["i64 -1", Buffer.concat([u32(11), u64(2n ** 64n - 1n)])],
  ["f64 Infinity", Buffer.concat([u32(12), Buffer.from(new Float64Array([Infinity]).buffer)])],
  ["array of 3 u32", Buffer.concat([u32(9), u32(4), u64(3n), u32(1), u32(2), u32(3)])],
  ["array of 2 strings", Buffer.concat([u32(9), u32(8), u64(2n), str("a"), str("b")])],
  ["empty array of f32", Buffer.concat([u32(9), u32(6), u64(0n)])],
  ["array of arrays", Buffer.concat([u32(9), u32(9), u64(1n), u32(4), u64(1n), u32(7)])],
  ["array of 2^40 u8 (not present)", Buffer.concat([u32(9), u32(0), u64(2n ** 40n)])],
];

/** Inserts `extra` into the header at `at`, bumps the u64 count at `countAt`, and re-aligns the data. */
function rebuildHeader(sections: GgufSections, at: number, extra: Buffer, countAt: number): Buffer {
  const bytes = replaceInHeader(sections, at, at, extra);
  if (countAt + 8 <= sections.bytes.length)
    put64(bytes, sections.bytes.readBigUInt64LE(countAt) + 1n, countAt);
  return bytes;
}

/** Replaces header bytes [start, end) and moves the tensor data to the next aligned offset behind. */
function replaceInHeader(sections: GgufSections, start: number, end: number, replacement: Buffer): Buffer {
  const source = sections.bytes;
  const header = Buffer.concat([
    source.subarray(0, start),
    replacement,
    source.subarray(end, Math.min(sections.headerEnd, source.length)),
  ]);
  const padded = Math.ceil(header.length / sections.alignment) * sections.alignment;
  return Buffer.concat([
    header,
    Buffer.alloc(padded - header.length),
    source.subarray(Math.min(sections.dataOffset, source.length)),
  ]);
}
