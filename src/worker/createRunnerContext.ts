// Builds the context a runner gets, sending its reports to the parent. Progress is rate-limited
// here so a runner may report every tensor or chunk without flooding the IPC channel; training
// points are batched the same way (each point crosses once).
import { mkdirSync } from "node:fs";
import path from "node:path";
import type { WorkerMessage } from "../core/jobs/workerMessages.js";
import type { RunnerContext } from "./Runner.js";
import type { TrainingMetrics } from "../shared/domain/trainingMetrics.js";

const progressIntervalMs = 100;
/** Training points wait at most this long to cross (a step takes longer than that anyway on CPU). */
const metricsIntervalMs = 500;

export interface RunnerContextOptions {
  jobId: string;
  dataDir: string;
  tempDir: string;
  signal: AbortSignal;
  send: (message: WorkerMessage) => void;
}

/** The runner's context, and `flush()`: sends the training points still batched (before the result). */
export function createRunnerContext(options: RunnerContextOptions): RunnerContext & { flush(): void } {
  let lastSentAt = 0;
  let metricsSentAt = 0;
  let metricsTimer: NodeJS.Timeout | undefined;
  let pending: TrainingMetrics | null = null;
  const flush = () => {
    clearTimeout(metricsTimer);
    metricsTimer = undefined;
    if (!pending) return;
    options.send({ type: "metrics", ...pending });
    pending = null;
    metricsSentAt = Date.now();
  };
  let lastStep = "";
  let tempDirMade = false;
  return {
    jobId: options.jobId,
    dataDir: options.dataDir,
    signal: options.signal,
    progress(fraction, step, etaSeconds) {
      const at = Date.now();
      const clamped =
        fraction === null || !Number.isFinite(fraction) ? null : Math.min(1, Math.max(0, fraction));
      // Step changes and completion always go through; the rest at most every 100 ms.
      if (step === lastStep && clamped !== 1 && at - lastSentAt < progressIntervalMs) return;
      lastSentAt = at;
      lastStep = step;
      options.send({
        type: "progress",
        fraction: clamped,
        step,
        ...(etaSeconds !== undefined && etaSeconds >= 0 ? { etaSeconds } : {}),
      });
    },
    metrics(points) {
      pending ??= { totalSteps: null, train: [], heldout: [] };
      pending.totalSteps = points.totalSteps ?? pending.totalSteps;
      pending.train.push(...(points.train ?? []));
      pending.heldout.push(...(points.heldout ?? []));
      const wait = metricsSentAt + metricsIntervalMs - Date.now();
      if (wait <= 0) flush();
      else metricsTimer ??= setTimeout(flush, wait);
    },
    flush,
    log(level, message) {
      options.send({ type: "log", level, message });
    },
    tempPath(name) {
      const base = path.basename(name);
      if (base !== name || name === "" || name === "." || name === "..")
        throw new Error(`tempPath: "${name}" must be a plain file name`);
      if (!tempDirMade) {
        mkdirSync(options.tempDir, { recursive: true });
        tempDirMade = true;
      }
      return path.join(options.tempDir, name);
    },
  };
}
