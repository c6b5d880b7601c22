// Seeded mutations of a text FILE (calibration and evaluation texts): the text mutations of
// textMutator.ts, plus what only bytes can carry: bytes that are not UTF-8, NUL bytes, another
// encoding (UTF-16 with its BOM), random binary, and an empty file.
import { mutateText, seededPickers, textMutationKinds } from "./textMutator.js";

export const textFileMutationKinds = [
  ...textMutationKinds.filter((k) => k !== "invalid-utf8" && k !== "binary" && k !== "deep-nesting"),
  "raw-invalid-utf8",
  "nul-bytes",
  "utf16",
  "raw-binary",
  "empty",
] as const;
export type TextFileMutationKind = (typeof textFileMutationKinds)[number];

export function mutateTextFile(
  text: string,
  random: () => number,
): { kind: TextFileMutationKind; detail: string; bytes: Buffer } {
  const { pick, at } = seededPickers(random);
  const kind = pick(textFileMutationKinds);
  const utf8 = Buffer.from(text, "utf8");
  const insert = (bytes: Buffer, i: number): Buffer =>
    Buffer.concat([utf8.subarray(0, i), bytes, utf8.subarray(i)]);
  switch (kind) {
    case "raw-invalid-utf8": {
      const i = at(utf8.length);
      const bad = pick([
        [0xff],
        [0xc3, 0x28],
        [0xed, 0xa0, 0x80],
        [0xe2, 0x82],
        [0xf8, 0x88, 0x80, 0x80, 0x80],
      ]);
      return {
        kind,
        detail: `bytes ${Buffer.from(bad).toString("hex")} at byte ${i}`,
        bytes: insert(Buffer.from(bad), i),
      };
    }
    case "nul-bytes": {
      const i = at(utf8.length);
      const n = 1 + at(16);
      return { kind, detail: `${n} NUL bytes at byte ${i}`, bytes: insert(Buffer.alloc(n), i) };
    }
    case "utf16":
      return {
        kind,
        detail: "UTF-16LE with a BOM",
        bytes: Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")]),
      };
    case "raw-binary": {
      const bytes = Buffer.alloc(1 + at(8192));
      for (let i = 0; i < bytes.length; i++) bytes[i] = at(256);
      return { kind, detail: `${bytes.length} random bytes`, bytes };
    }
    case "empty":
      return { kind, detail: "0 bytes", bytes: Buffer.alloc(0) };
    default: {
      const mutation = mutateText(text, random, kind);
      return { kind, detail: mutation.detail, bytes: Buffer.from(mutation.text, "utf8") };
    }
  }
}
