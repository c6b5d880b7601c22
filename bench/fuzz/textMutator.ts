// Seeded mutations of a valid text input (device results files, protocol messages): characters
// swapped for control or replacement characters, truncation, lines dropped or repeated, a huge line,
// bytes that are not UTF-8, binary noise, absurd numbers, deep nesting, and several at once.
export const textMutationKinds = [
  "flip-char",
  "truncate",
  "drop-line",
  "repeat-line",
  "huge-line",
  "invalid-utf8",
  "binary",
  "absurd-number",
  "deep-nesting",
  "stacked",
] as const;
export type TextMutationKind = (typeof textMutationKinds)[number];

const absurdNumbers = [
  "NaN",
  "-1",
  "1e400",
  "-0",
  "0",
  "99999999999999999999999",
  '"12"',
  "null",
  "[]",
  "{}",
  "",
];

/** An item of a list, and an index below a length (at least 0), drawn from `random`. */
export function seededPickers(random: () => number): {
  pick: <T>(items: readonly T[]) => T;
  at: (length: number) => number;
} {
  return {
    pick: <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!,
    at: (length: number): number => Math.floor(random() * Math.max(1, length)),
  };
}

export function mutateText(
  text: string,
  random: () => number,
  kind?: TextMutationKind,
): { kind: TextMutationKind; detail: string; text: string } {
  const { pick, at } = seededPickers(random);
  const chosen = kind ?? pick(textMutationKinds);
  const lines = text.split("\n");
  switch (chosen) {
    case "flip-char": {
      const i = at(text.length);
      const replacement = pick(["\u0000", "\u001b", "\ufffd", '"', ",", "|", "\n", "{", "]", "9", "-"]);
      return {
        kind: chosen,
        detail: `char ${i} → U+${replacement.charCodeAt(0).toString(16)}`,
        text: text.slice(0, i) + replacement + text.slice(i + 1),
      };
    }
    case "truncate": {
      const i = at(text.length);
      return { kind: chosen, detail: `cut at char ${i} of ${text.length}`, text: text.slice(0, i) };
    }
    case "drop-line": {
      const i = at(lines.length);
      return {
        kind: chosen,
        detail: `line ${i + 1} dropped`,
        text: lines.filter((_, j) => j !== i).join("\n"),
      };
    }
    case "repeat-line": {
      const i = at(lines.length);
      // A line already made huge is repeated only once more: the point is a bad file, not a full heap.
      const times = (lines[i]?.length ?? 0) > 10_000 ? 2 : pick([2, 10, 1000]);
      const copy = [
        ...lines.slice(0, i),
        ...Array<string>(times).fill(lines[i] ?? ""),
        ...lines.slice(i + 1),
      ];
      return { kind: chosen, detail: `line ${i + 1} × ${times}`, text: copy.join("\n") };
    }
    case "huge-line": {
      const i = at(lines.length);
      const size = pick([1 << 16, 1 << 21]);
      const copy = [...lines.slice(0, i), "x".repeat(size), ...lines.slice(i)];
      return { kind: chosen, detail: `a ${size}-char line before line ${i + 1}`, text: copy.join("\n") };
    }
    case "invalid-utf8": {
      // What a file with bytes that are not UTF-8 reads as.
      const i = at(text.length);
      const bytes = Buffer.concat([
        Buffer.from(text.slice(0, i)),
        Buffer.from([0xff, 0xc3, 0x28, 0xed, 0xa0, 0x80]),
        Buffer.from(text.slice(i)),
      ]);
      return { kind: chosen, detail: `invalid UTF-8 at char ${i}`, text: bytes.toString("utf8") };
    }
    case "binary": {
      const bytes = Buffer.alloc(1 + at(4096));
      for (let i = 0; i < bytes.length; i++) bytes[i] = at(256);
      return { kind: chosen, detail: `${bytes.length} random bytes`, text: bytes.toString("utf8") };
    }
    case "absurd-number": {
      const numbers = [...text.matchAll(/-?\d+(\.\d+)?(e[+-]?\d+)?/gi)];
      if (numbers.length === 0) return { kind: chosen, detail: "no number to replace", text };
      const match = pick(numbers);
      const value = pick(absurdNumbers);
      return {
        kind: chosen,
        detail: `"${match[0]}" at char ${match.index} → "${value}"`,
        text: text.slice(0, match.index) + value + text.slice(match.index + match[0].length),
      };
    }
    case "deep-nesting": {
      const depth = pick([1000, 100_000]);
      return { kind: chosen, detail: `${depth} nested arrays`, text: "[".repeat(depth) + "]".repeat(depth) };
    }
    case "stacked": {
      let current = text;
      const details: string[] = [];
      for (let i = 0; i < 2 + at(2); i++) {
        const step = mutateText(
          current,
          random,
          pick(textMutationKinds.filter((k) => k !== "stacked" && k !== "binary")),
        );
        details.push(`${step.kind}(${step.detail})`);
        current = step.text;
      }
      return { kind: chosen, detail: details.join(" then "), text: current };
    }
  }
}
