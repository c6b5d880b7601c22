// What happened to one fuzzed file on each path: accepted, refused with a named reason, or a
// defect (a crash: an uncaught error, a stack trace, a signal; or a hang). Shared by the fuzz
// harnesses and their CI tests.
import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { LibraryError } from "../../src/core/library/LibraryError.js";

export type Outcome =
  | { verdict: "accepted" }
  | { verdict: "refused"; reason: string; message: string }
  | { verdict: "crash"; reason: string; message: string }
  | { verdict: "hang"; reason: string; message: string };

export function isDefect(outcome: Outcome): boolean {
  return outcome.verdict === "crash" || outcome.verdict === "hang";
}

/** In-process: the call either returns, throws an error of the expected class (refused), or is a defect. */
export async function inProcessOutcome(
  run: () => Promise<unknown>,
  isNamedRefusal: (error: unknown) => string | null,
  timeoutMs = 10_000,
): Promise<Outcome> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<"hang">((resolve) => {
    timer = setTimeout(() => resolve("hang"), timeoutMs);
  });
  try {
    const result = await Promise.race([run().then(() => "done" as const), timedOut]);
    if (result === "hang")
      return { verdict: "hang", reason: "timeout", message: `no answer within ${timeoutMs} ms` };
    return { verdict: "accepted" };
  } catch (error) {
    const reason = isNamedRefusal(error);
    const message = error instanceof Error ? error.message : String(error);
    if (reason !== null) return { verdict: "refused", reason, message };
    const name = error instanceof Error ? error.constructor.name : typeof error;
    return { verdict: "crash", reason: name, message: `${message}\n${(error as Error).stack ?? ""}` };
  } finally {
    clearTimeout(timer);
  }
}

/** The library's refusals carry a code; anything else thrown by the reader is a defect. */
export function libraryRefusal(error: unknown): string | null {
  return error instanceof LibraryError ? error.code : null;
}

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const cwbBin = path.join(repoRoot, "bin", "cwb.js");

export interface CliRun {
  outcome: Outcome;
  stdout: string;
}

/**
 * Runs the built `cwb` with these arguments. Exit 0 is accepted; exit 1 with an "error:" line and
 * no stack trace is a refusal named by that line; a signal, another exit code, a stack trace or a
 * timeout is a defect.
 */
export function cliOutcome(args: readonly string[], timeoutMs = 120_000): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cwbBin, ...args], {
      cwd: repoRoot,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, CWB_DATA_DIR: "" },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    let hung = false;
    const timer = setTimeout(() => {
      hung = true;
      child.kill("SIGKILL");
    }, timeoutMs);
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      const errorLine = stderr.split("\n").find((line) => /^(cwb: )?error:/i.test(line.trim())) ?? "";
      let outcome: Outcome;
      if (hung) outcome = { verdict: "hang", reason: "timeout", message: `killed after ${timeoutMs} ms` };
      else if (signal !== null) outcome = { verdict: "crash", reason: signal, message: stderr.slice(-2000) };
      else if (code === 0) outcome = { verdict: "accepted" };
      else if (code === 1 && errorLine !== "" && !/\n\s+at .+:\d+:\d+\)?\n/.test(stderr))
        outcome = { verdict: "refused", reason: refusalReason(errorLine), message: errorLine.trim() };
      else outcome = { verdict: "crash", reason: `exit ${code}`, message: stderr.slice(-2000) };
      resolve({ outcome, stdout });
    });
  });
}

/** A short, countable name for a refusal: the message's first clause, without the job and the file. */
function refusalReason(errorLine: string): string {
  const message = errorLine
    .trim()
    .replace(/^(cwb: )?error:\s*/i, "")
    .replace(/^job \w+ \([^)]*\) failed: /, "")
    .replace(/^\/\S+: /, "");
  return message.split(":")[0]!.replace(/\d+/g, "N").slice(0, 50);
}

/** Counts outcomes by "path verdict reason", for the printed table. */
export class OutcomeTable {
  readonly #counts = new Map<string, number>();
  readonly defects: { file: string; path: string; detail: string; outcome: Outcome }[] = [];

  add(pathName: string, outcome: Outcome, file: string, detail: string): void {
    const reason = outcome.verdict === "accepted" ? "" : outcome.reason;
    const key = `${pathName}\t${outcome.verdict}\t${reason}`;
    this.#counts.set(key, (this.#counts.get(key) ?? 0) + 1);
    if (isDefect(outcome)) this.defects.push({ file, path: pathName, detail, outcome });
  }

  count(pathName: string, verdict: Outcome["verdict"]): number {
    let total = 0;
    for (const [key, n] of this.#counts) {
      const [p, v] = key.split("\t");
      if (p === pathName && v === verdict) total += n;
    }
    return total;
  }

  rows(): { path: string; verdict: string; reason: string; files: number }[] {
    return [...this.#counts]
      .map(([key, files]) => {
        const [p, verdict, reason] = key.split("\t") as [string, string, string];
        return { path: p, verdict, reason, files };
      })
      .sort((a, b) => a.path.localeCompare(b.path) || b.files - a.files);
  }

  format(): string {
    const rows = this.rows();
    const widths = [4, 7, 6].map((w, i) =>
      Math.max(w, ...rows.map((r) => [r.path, r.verdict, r.reason][i]!.length)),
    );
    const line = (cells: string[], files: string): string =>
      `${cells.map((c, i) => c.padEnd(widths[i]!)).join("  ")}  ${files.padStart(6)}`;
    return [
      line(["PATH", "VERDICT", "REASON"], "FILES"),
      ...rows.map((r) => line([r.path, r.verdict, r.reason], String(r.files))),
    ].join("\n");
  }
}
