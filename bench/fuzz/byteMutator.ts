// Seeded mutations of a binary file whose integer fields are known (a legacy .dat importance matrix,
// a zip archive's records): bit flips, truncation, absurd values in one field, a run of zeros,
// garbage appended, and several at once. Aiming at the fields makes the reader meet impossible
// counts, lengths and offsets rather than only a bad checksum.
import { seededPickers } from "./textMutator.js";

export interface ByteField {
  /** What the field is, for the defect note: "entry 2 value count". */
  name: string;
  at: number;
  width: 2 | 4;
}

export const byteMutationKinds = [
  "flip-bit",
  "truncate",
  "absurd-field",
  "zero-run",
  "append",
  "stacked",
] as const;
export type ByteMutationKind = (typeof byteMutationKinds)[number];

const absurd32 = [0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 0xfffffffe, 0x10000, 4096, 4097];
const absurd16 = [0, 1, 0x7fff, 0xffff, 0xfffe];

export function mutateBytes(
  bytes: Buffer,
  fields: readonly ByteField[],
  random: () => number,
  kind?: ByteMutationKind,
): { kind: ByteMutationKind; detail: string; bytes: Buffer } {
  const { pick, at } = seededPickers(random);
  const chosen = kind ?? pick(byteMutationKinds);
  const copy = Buffer.from(bytes);
  switch (chosen) {
    case "flip-bit": {
      // Half of the flips land in a field, where a reader trusts the value.
      const field = fields.length > 0 && random() < 0.5 ? pick(fields) : null;
      const i = field ? field.at + at(field.width) : at(copy.length);
      const bit = at(8);
      copy[i] = copy[i]! ^ (1 << bit);
      return {
        kind: chosen,
        detail: `bit ${bit} of byte ${i}${field ? ` (${field.name})` : ""}`,
        bytes: copy,
      };
    }
    case "truncate": {
      const cuts = [...fields.map((f) => f.at), ...fields.map((f) => f.at + f.width), at(copy.length)];
      const cut = Math.min(pick(cuts), copy.length);
      return { kind: chosen, detail: `cut at byte ${cut} of ${copy.length}`, bytes: copy.subarray(0, cut) };
    }
    case "absurd-field": {
      if (fields.length === 0) return mutateBytes(bytes, fields, random, "flip-bit");
      const field = pick(fields);
      const value = field.width === 4 ? pick(absurd32) : pick(absurd16);
      if (field.width === 4) copy.writeUInt32LE(value, field.at);
      else copy.writeUInt16LE(value, field.at);
      return { kind: chosen, detail: `${field.name} at byte ${field.at} → ${value}`, bytes: copy };
    }
    case "zero-run": {
      const start = at(copy.length);
      const length = 1 + at(64);
      copy.fill(0, start, Math.min(copy.length, start + length));
      return { kind: chosen, detail: `${length} zero bytes at ${start}`, bytes: copy };
    }
    case "append": {
      const extra = Buffer.alloc(1 + at(1024));
      for (let i = 0; i < extra.length; i++) extra[i] = at(256);
      return {
        kind: chosen,
        detail: `${extra.length} random bytes appended`,
        bytes: Buffer.concat([copy, extra]),
      };
    }
    case "stacked": {
      let current: Buffer = copy;
      const details: string[] = [];
      for (let i = 0; i < 2 + at(2); i++) {
        // Fields keep their offsets only while nothing before them moved; truncation goes last.
        const step = mutateBytes(
          current,
          fields.filter((f) => f.at + f.width <= current.length),
          random,
          pick(byteMutationKinds.filter((k) => k !== "stacked" && k !== "truncate")),
        );
        details.push(`${step.kind}(${step.detail})`);
        current = step.bytes;
      }
      return { kind: chosen, detail: details.join(" then "), bytes: current };
    }
  }
}

/** The integer fields of a legacy .dat importance matrix (entry count; per entry name length, calls, value count). */
export function legacyImatrixFields(bytes: Buffer): ByteField[] {
  const fields: ByteField[] = [{ name: "entry count", at: 0, width: 4 }];
  const entries = bytes.readInt32LE(0);
  let at = 4;
  for (let i = 0; i < entries; i++) {
    fields.push({ name: `entry ${i} name length`, at, width: 4 });
    at += 4 + bytes.readInt32LE(at);
    fields.push({ name: `entry ${i} calls`, at, width: 4 });
    fields.push({ name: `entry ${i} value count`, at: at + 4, width: 4 });
    at += 8 + 4 * bytes.readInt32LE(at + 4);
  }
  return fields;
}

/** The integer fields of a zip archive's records, found by their signatures. */
export function zipFields(bytes: Buffer): ByteField[] {
  const layouts: Record<number, { record: string; fields: [string, number, 2 | 4][] }> = {
    0x04034b50: {
      record: "local header",
      fields: [
        ["method", 8, 2],
        ["crc", 14, 4],
        ["compressed size", 18, 4],
        ["size", 22, 4],
        ["name length", 26, 2],
        ["extra length", 28, 2],
      ],
    },
    0x02014b50: {
      record: "central header",
      fields: [
        ["method", 10, 2],
        ["crc", 16, 4],
        ["compressed size", 20, 4],
        ["size", 24, 4],
        ["name length", 28, 2],
        ["extra length", 30, 2],
        ["comment length", 32, 2],
        ["disk", 34, 2],
        ["local header offset", 42, 4],
      ],
    },
    0x06054b50: {
      record: "end record",
      fields: [
        ["disk", 4, 2],
        ["entries on disk", 8, 2],
        ["entries", 10, 2],
        ["directory size", 12, 4],
        ["directory offset", 16, 4],
        ["comment length", 20, 2],
      ],
    },
  };
  const fields: ByteField[] = [];
  for (let i = 0; i + 4 <= bytes.length; i++) {
    const layout = layouts[bytes.readUInt32LE(i)];
    if (!layout) continue;
    for (const [name, offset, width] of layout.fields)
      if (i + offset + width <= bytes.length)
        fields.push({ name: `${layout.record} at ${i}: ${name}`, at: i + offset, width });
  }
  return fields;
}
