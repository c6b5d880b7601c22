// What the CLI prints: tables for people, JSON for --json (stdout only ever holds the result), and
// errors and progress on stderr. Writers are injectable so main() can run in-process in tests.
import { formatBytes, formatDuration, formatPercent } from "../../shared/format.js";

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
    this.streams.stdout.write(`${text}\n`);
  }

  table<T>(rows: readonly T[], columns: readonly Column<T>[]): void {
    const cells = rows.map((row) => columns.map((column) => column.value(row)));
    const widths = columns.map((column, i) => Math.max(column.header.length, ...cells.map((r) => r[i]!.length)));
    const render = (values: readonly string[]): string =>
      values
        .map((value, i) => (columns[i]!.align === "right" ? value.padStart(widths[i]!) : value.padEnd(widths[i]!)))
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
    this.streams.stderr.write(`${text}\n`);
  }

  error(message: string): void {
    this.streams.stderr.write(`cwb: error: ${message}\n`);
  }

  progress(label: string): ProgressLine {
    const enabled = this.options.progress ?? Boolean(this.streams.stderr.isTTY);
    return new ProgressLine(this.streams.stderr, label, enabled, Boolean(this.streams.stderr.isTTY));
  }
}

/**
 * "hashing model.gguf  42.0 %  1.2 GB of 2.9 GB  ETA 14 s". On a terminal one line is rewritten in
 * place; otherwise (e.g. --progress into a log) a new line at most every half second and at the end.
 */
export class ProgressLine {
  readonly #started = Date.now();
  #lastPrint = 0;
  #lastFraction = -1;
  #open = false;

  constructor(
    private readonly stream: NodeJS.WritableStream,
    private readonly label: string,
    private readonly enabled: boolean,
    private readonly tty: boolean,
  ) {}

  update(done: number, total: number): void {
    if (!this.enabled) return;
    const fraction = total > 0 ? Math.min(1, done / total) : 0;
    const now = Date.now();
    const finished = fraction >= 1;
    if (!finished && now - this.#lastPrint < (this.tty ? 100 : 500)) return;
    if (finished && this.#lastFraction >= 1) return;
    this.#lastPrint = now;
    this.#lastFraction = fraction;
    const elapsed = (now - this.#started) / 1000;
    const eta = fraction > 0 ? (elapsed * (1 - fraction)) / fraction : null;
    const timing = finished ? `done in ${formatDuration(elapsed)}` : `ETA ${formatDuration(eta)}`;
    const text = `${this.label}  ${formatPercent(fraction).padStart(7)}  ${formatBytes(done)} of ${formatBytes(total)}  ${timing}`;
    if (this.tty) {
      this.stream.write(`\r\x1b[2K${text}`);
      this.#open = true;
    } else {
      this.stream.write(`${text}\n`);
    }
  }

  /** Ends a terminal line that was being rewritten. */
  done(): void {
    if (this.#open) this.stream.write("\n");
    this.#open = false;
  }
}
