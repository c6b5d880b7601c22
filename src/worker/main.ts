// The worker process: started by the job queue (core/jobs/JobRun.ts) for exactly one job. It says
// "ready", receives "start", runs the kind's runner and sends its result or error, then exits. A
// "cancel" aborts the runner's signal; the parent kills this process if it does not stop in time.
// Anything that crashes here (a llama.cpp abort, running out of memory) takes down only this job.
import { appErrorOf } from "../shared/domain/errors.js";
import { parentMessage, type WorkerMessage } from "../core/jobs/workerMessages.js";
import { createRunnerContext } from "./createRunnerContext.js";
import { connectToParent } from "./parentChannel.js";
import type { RunnerContext } from "./Runner.js";
import { lastLlamaError, sendLlamaLogTo } from "./native/llamaLog.js";
import { runners } from "./runners/index.js";
import { isJobKind } from "../shared/protocol/jobKinds.js";

const parent = connectToParent();
if (!parent) {
  process.stderr.write("worker/main: this is the job worker; the job queue starts it with an IPC channel\n");
  process.exit(2);
}

const controller = new AbortController();
let started = false;

async function finish(message: WorkerMessage, exitCode: number): Promise<never> {
  await parent!.send(message);
  process.exit(exitCode);
}

async function run(kind: string, params: unknown, context: RunnerContext & { flush(): void }): Promise<void> {
  const load = isJobKind(kind) ? runners[kind] : undefined;
  if (!load)
    return finish(
      { type: "error", message: `no runner for job kind "${kind}" in the worker`, code: "UNKNOWN_JOB_KIND" },
      1,
    );
  try {
    const runner = (await load()).default as (params: unknown, context: RunnerContext) => Promise<unknown>;
    const value = await runner(params, context);
    context.flush();
    await finish({ type: "result", value: value ?? null }, 0);
  } catch (error) {
    context.flush(); // a failed or cancelled run keeps the curve it got to
    const message = controller.signal.aborted
      ? "cancelled"
      : error instanceof Error
        ? error.message
        : String(error);
    const coded = controller.signal.aborted ? null : appErrorOf(error);
    const code = (error as { code?: unknown } | null)?.code;
    // llama.cpp's log lines reach JS through a thread-safe queue and can trail the failure on a busy
    // machine: let the queued ones arrive before the reason is read.
    if (!controller.signal.aborted) await new Promise((resolve) => setTimeout(resolve, 50));
    // llama.cpp's last error line is the reason when the runner's error does not carry one.
    const llamaReason = controller.signal.aborted ? null : (coded?.llamaReason ?? lastLlamaError());
    await finish(
      coded
        ? { type: "error", ...coded, llamaReason }
        : llamaReason
          ? { type: "error", message, code: "FAILED", llamaReason, remedies: [] }
          : { type: "error", message, ...(typeof code === "string" ? { code } : {}) },
      1,
    );
  }
}

parent.onMessage((raw) => {
  const parsed = parentMessage.safeParse(raw);
  if (!parsed.success) return;
  const message = parsed.data;
  if (message.type === "cancel") {
    controller.abort(new Error("cancelled"));
    return;
  }
  if (started) return;
  started = true;
  const context = createRunnerContext({
    jobId: message.jobId,
    dataDir: message.dataDir,
    tempDir: message.tempDir,
    signal: controller.signal,
    send: (m) => void parent.send(m),
  });
  sendLlamaLogTo((level, line) => context.log(level, line));
  void run(message.kind, message.params, context);
});

// Ctrl+C in a terminal reaches the whole process group; only the parent decides to cancel a job.
process.on("SIGINT", () => undefined);
// The parent went away (app quit or crashed): nobody wants this job's result any more.
parent.onDisconnect(() => process.exit(0));

void parent.send({ type: "ready" });
