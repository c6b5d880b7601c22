// debug.sleep (diagnostic): sleeps with progress, writes a temp file, and can die on purpose halfway
// through, so tests can prove that a crash or a cancel fails only this job and leaves nothing.
import { writeFile } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { defineRunner, type RunnerContext } from "../Runner.js";

const tickMs = 50;

export default defineRunner("debug.sleep", async (params, context) => {
  const totalMs = params.seconds * 1000;
  const scratch = context.tempPath("sleep.partial");
  await writeFile(scratch, "written by debug.sleep\n");
  context.log(
    "info",
    `sleeping ${params.seconds} s${params.crash ? `, then crashing by ${params.crash}` : ""}`,
  );

  const started = Date.now();
  let tick = 0;
  for (;;) {
    const elapsed = Date.now() - started;
    if (params.crash && elapsed >= totalMs / 2) crash(params.crash);
    if (elapsed >= totalMs) break;
    // ignoreCancel simulates native code that cannot be interrupted: only SIGKILL stops it.
    if (!params.ignoreCancel) context.signal.throwIfAborted();
    context.progress(
      totalMs > 0 ? elapsed / totalMs : 1,
      `sleeping: ${(elapsed / 1000).toFixed(1)} of ${params.seconds} s`,
    );
    if (params.trainingPoints) reportTrainingPoint(context, ++tick, Math.ceil(totalMs / tickMs));
    await sleep(Math.min(tickMs, totalMs - elapsed));
  }
  context.progress(1, "slept");
  return { sleptSeconds: (Date.now() - started) / 1000, tempFileWritten: true };
});

/** A made-up, falling loss curve: step n has loss 1/n, every 4th step a held-out point. */
function reportTrainingPoint(context: RunnerContext, step: number, totalSteps: number): void {
  const loss = 1 / step;
  context.metrics({
    totalSteps,
    train: [{ step, loss, tokensPerSecond: 1000 }],
    heldout:
      step % 4 === 0
        ? [{ step, objective: loss, nll: 2 * loss, kld: loss / 2, kldStdErr: loss / 20, positions: 64 }]
        : [],
  });
}

function crash(how: "abort" | "exit" | "throw"): void {
  if (how === "abort") process.abort();
  if (how === "exit") process.exit(3);
  throw new Error("debug.sleep crashed on purpose (throw)");
}
