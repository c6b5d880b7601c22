// The worker process: started by the job queue (core/jobs/JobQueue.ts) for exactly one job. It says
// "ready", receives "start", runs the kind's runner and sends its result or error, then exits. A
// "cancel" aborts the runner's signal; the parent kills this process if it does not stop in time.
// Anything that crashes here (a llama.cpp abort, running out of memory) takes down only this job.
import { parentMessage, type WorkerMessage } from "../core/jobs/workerMessages.js";
import { createRunnerContext } from "./createRunnerContext.js";
import { runners } from "./runners/index.js";

const controller = new AbortController();
let started = false;

function send(message: WorkerMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send || !process.connected) return resolve();
    process.send(message, undefined, {}, () => resolve());
  });
}

async function finish(message: WorkerMessage, exitCode: number): Promise<never> {
  await send(message);
  process.exit(exitCode);
}

async function run(kind: string, params: unknown, context: ReturnType<typeof createRunnerContext>): Promise<void> {
  const load = runners[kind];
  if (!load) return finish({ type: "error", message: `no runner for job kind "${kind}" in the worker`, code: "UNKNOWN_JOB_KIND" }, 1);
  try {
    const runner = (await load()).default as (params: unknown, context: unknown) => Promise<unknown>;
    const value = await runner(params, context);
    await finish({ type: "result", value: value ?? null }, 0);
  } catch (error) {
    const message = controller.signal.aborted ? "cancelled" : error instanceof Error ? error.message : String(error);
    const code = (error as { code?: unknown } | null)?.code;
    await finish({ type: "error", message, ...(typeof code === "string" ? { code } : {}) }, 1);
  }
}

if (!process.send) {
  process.stderr.write("src/worker/main: this is the job worker; the job queue starts it with an IPC channel\n");
  process.exit(2);
}

process.on("message", (raw) => {
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
    send: (m) => void send(m),
  });
  void run(message.kind, message.params, context);
});

// The parent went away (app quit or crashed): nobody wants this job's result any more.
process.on("disconnect", () => process.exit(0));

void send({ type: "ready" });
