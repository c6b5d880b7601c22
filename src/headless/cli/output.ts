// What the CLI prints: tables for people, JSON for --json (stdout only ever holds the result), and
// errors and notices on stderr (job progress lines: jobProgress.ts). Writers are injectable so main()
// can run in-process in tests.
export interface OutputStreams {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

export interface OutputOptions {
  json: boolean;
  /** Progress lines on stderr: forced on/off, or (undefined) only when stderr is a terminal. */
  progress: boolean | undefined;
}

export type Align = "left" | "right";
export interface Column<T> {
  header: string;
  value: (row: T) => string;
  align?: Align;
}

export class Output {
  /** Set from the global options once they are parsed (see main.ts). */
  options: OutputOptions = { json: false, progress: undefined };

  constructor(readonly streams: OutputStreams) {}

  get json(): boolean {
    return this.options.json;
  }

  /** The command's result: JSON when --json, otherwise the human rendering. */
  result(value: unknown, human: () => void): void {
    if (this.options.json) this.line(JSON.stringify(value, null, 2));
    else human();
  }

  line(text = ""): void {
    this.streams.stdout.write(`${printable(text)}\n`);
  }

  table<T>(rows: readonly T[], columns: readonly Column<T>[]): void {
    const cells = rows.map((row) => columns.map((column) => column.value(row)));
    const widths = columns.map((column, i) =>
      Math.max(column.header.length, ...cells.map((r) => r[i]!.length)),
    );
    const render = (values: readonly string[]): string =>
      values
        .map((value, i) =>
          columns[i]!.align === "right" ? value.padStart(widths[i]!) : value.padEnd(widths[i]!),
        )
        .join("  ")
        .trimEnd();
    this.line(render(columns.map((c) => c.header)));
    for (const row of cells) this.line(render(row));
  }

  /** "key: value" lines with the keys aligned. */
  fields(entries: readonly (readonly [string, string])[]): void {
    const width = Math.max(...entries.map(([key]) => key.length));
    for (const [key, value] of entries) this.line(`${`${key}:`.padEnd(width + 1)} ${value}`);
  }

  /** A notice for people (stderr, so it never mixes into --json output). */
  note(text: string): void {
    this.streams.stderr.write(`${printable(text)}\n`);
  }

  error(message: string): void {
    this.streams.stderr.write(`cwb: error: ${printable(message)}\n`);
  }
}

/**
 * Text from model files (names, keys, chat templates) reaches the terminal through here; a hostile
 * file could carry escape sequences that retitle the window, hide text or rewrite earlier lines.
 * Control characters other than newline and tab are shown as \uNNNN instead.
 */
export function printable(text: string): string {
  return text.replace(
    // eslint-disable-next-line no-control-regex -- finding control characters is the point
    /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g,
    // \uNNNN: readable in text, and still the same character inside --json output's strings.
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}
