// A running job's progress on stderr: "Diagnostic sleep  42.0 %  sleeping: 2.1 of 5 s  ETA 3.1 s".
// On a terminal one line is rewritten in place; otherwise (--progress into a log file) a new line
// at most every second, and whenever the job's state changes.
import type { Job } from "../../shared/domain/job.js";
import { formatDuration, formatPercent } from "../../shared/format.js";
import { isJobKind, jobKinds } from "../../shared/protocol/jobKinds.js";

export function jobTitle(job: Pick<Job, "kind">): string {
  return isJobKind(job.kind) ? jobKinds[job.kind].title : job.kind;
}

/** The words of a progress line, without any terminal control characters. */
export function formatJobProgress(job: Job): string {
  const parts = [jobTitle(job)];
  const progress = job.progress;
  if (job.state === "queued") parts.push("waiting to start");
  else if (progress) {
    parts.push(progress.fraction === null ? "     …" : formatPercent(progress.fraction).padStart(7));
    if (progress.step) parts.push(progress.step);
    if (progress.etaSeconds !== null && progress.fraction !== 1)
      parts.push(`ETA ${formatDuration(progress.etaSeconds)}`);
  } else if (job.state === "running") parts.push("starting");
  return parts.join("  ");
}

export class JobProgressLine {
  #lastPrint = 0;
  #lastPhase = "";
  #open = false;

  constructor(
    private readonly stream: NodeJS.WritableStream,
    private readonly enabled: boolean,
    private readonly tty: boolean,
  ) {}

  update(job: Job): void {
    if (!this.enabled) return;
    const text = formatJobProgress(job);
    if (this.tty) {
      this.stream.write(`\r\x1b[2K${text}`);
      this.#open = true;
      return;
    }
    const phase = `${job.state}:${job.progress?.fraction === 1 ? "end" : ""}`;
    const at = Date.now();
    if (phase === this.#lastPhase && at - this.#lastPrint < 1000) return;
    this.#lastPhase = phase;
    this.#lastPrint = at;
    this.stream.write(`${text}\n`);
  }

  /** Ends a line being rewritten, so what follows starts on a fresh line. */
  done(): void {
    if (this.#open) this.stream.write("\n");
    this.#open = false;
  }
}
