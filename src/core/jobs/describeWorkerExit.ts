// A worker's death in words, for the job's error field: the signal's usual cause on our workloads,
// and the last line the worker wrote to stderr (llama.cpp prints its failed assertion there).
import type { WorkerExit } from "./WorkerLauncher.js";

const signalCauses: Partial<Record<NodeJS.Signals, string>> = {
  SIGABRT: "abort, e.g. a failed llama.cpp assertion",
  SIGSEGV: "invalid memory access",
  SIGBUS: "bad memory access, e.g. a model file truncated while mapped",
  SIGILL: "illegal instruction: the native build does not match this CPU",
  SIGFPE: "arithmetic error",
  SIGKILL: "killed from outside, most likely out of memory",
  SIGTERM: "terminated from outside",
};

/** Lines that say why, in the order we prefer them over the plain last line. */
const telling = /GGML_ASSERT|assert|error|fatal|abort|out of memory|failed|exception/i;
/** Backtrace frames and separators say where, not why. */
const noise = /^\s*(\d+: |at |#\d+ |-{3,}|\[|$)/;

/** The stderr line most likely to explain the death: the last telling one, else the last non-trace one. */
export function explainingLine(stderrTail: readonly string[]): string | undefined {
  const meaningful = stderrTail.filter((line) => !noise.test(line));
  return meaningful.findLast((line) => telling.test(line)) ?? meaningful.at(-1);
}

export function describeWorkerExit(exit: WorkerExit, stderrTail: readonly string[] = []): string {
  const lastStderrLine = explainingLine(stderrTail);
  let reason: string;
  if (exit.signal) {
    const cause = signalCauses[exit.signal];
    reason = exit.signal === "SIGKILL" || exit.signal === "SIGTERM" ? "worker was killed" : "worker crashed";
    reason += `: ${exit.signal}${cause ? ` (${cause})` : ""}`;
  } else if (exit.code === null) {
    reason = "worker could not be started";
  } else if (exit.code === 0) {
    reason = "worker exited without reporting a result";
  } else {
    reason = `worker exited with exit code ${exit.code}`;
  }
  const detail = lastStderrLine?.trim();
  return detail ? `${reason}; last output: ${detail.slice(0, 500)}` : reason;
}
