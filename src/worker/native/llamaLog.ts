// llama.cpp's own log in a worker. node-llama-cpp hands every line llama.cpp logs (at warning level
// and above) to `logLlamaLine` (set as its logger in loadAddon.ts); the line goes into the job's log,
// and the first line of the last burst of errors is kept: when the job fails, it is llama.cpp's
// reason (worker/main.ts).
import type { LogLevel } from "../../core/jobs/workerMessages.js";

/** Lines kept per job: a model that warns for every tensor must not flood the log. */
export const llamaLogLineLimit = 300;

let sink: ((level: LogLevel, message: string) => void) | null = null;
/** The last burst of error lines (no other line between them), in the order they arrived. */
let burst: string[] = [];
let lines = 0;
let previousWasError = false;

/** Where the lines go: the running job's log (one job per worker). */
export function sendLlamaLogTo(log: (level: LogLevel, message: string) => void): void {
  sink = log;
}

/** node-llama-cpp's logger: its level names (fatal, error, warn, info, log, debug) and one message. */
export function logLlamaLine(level: string, message: string): void {
  const text = message.trim();
  if (text === "") return;
  const ours: LogLevel =
    level === "error" || level === "fatal" ? "error" : level === "warn" ? "warn" : "info";
  // A failure logs a burst of errors, the cause ("error loading model hyperparameters: ...") and
  // generic ones ("failed to load model"); lines from llama.cpp's threads can arrive out of order
  // on a busy machine, so the reason is picked from the burst by content, not by position alone.
  if (ours === "error") {
    if (!previousWasError) burst = [];
    burst.push(text);
  }
  previousWasError = ours === "error";
  lines++;
  if (lines < llamaLogLineLimit) sink?.(ours, `llama.cpp: ${text}`);
  else if (lines === llamaLogLineLimit)
    sink?.("warn", `llama.cpp: more than ${llamaLogLineLimit} log lines; the rest are not kept`);
}

/** Lines that only say that something failed, never why. */
const genericFailure = /(^|: )failed to (load model|initialize|create context)[^:]*$/i;

/**
 * llama.cpp's reason for the last failure in this worker: the first line of the last burst of error
 * lines that says more than "failed to load model", else the burst's first line; null without errors.
 */
export function lastLlamaError(): string | null {
  return burst.find((line) => !genericFailure.test(line)) ?? burst[0] ?? null;
}
