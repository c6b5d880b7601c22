// The fuzzers' path through a long-lived `cwb serve`: each file is imported over the WebSocket
// protocol as the app's screens do it, shown, and (when accepted) quantized by a worker: a dry run
// and a real Q8_0. After each file the server must still be running and answer `app.info`; a server
// that died or stopped answering is a defect (and is started again for the next file).
import { mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import type { Job } from "../../src/shared/domain/job.js";
import type { EventFrame, ResultFrame } from "../../src/shared/protocol/wire.js";
import { findQuantType } from "../../src/shared/quantTypes.js";
import { startServedApp, type ServedApp } from "../../test/helpers/servedApp.js";
import { connectProtocol, type ProtocolConnection } from "../../test/helpers/wsProtocolClient.js";
import type { Outcome, OutcomeTable } from "./fuzzOutcome.js";

/** A job that has not ended in this long is a hang. */
const jobTimeoutMs = 120_000;
/** A server that does not answer `app.info` in this long is hung. */
const livenessTimeoutMs = 10_000;

const finished = new Set(["succeeded", "failed", "cancelled", "interrupted"]);

export class ServerFuzzPath {
  #app: ServedApp | undefined;
  #connection: ProtocolConnection | undefined;
  readonly #dataDir: string;
  readonly #outDir: string;

  private constructor(dataDir: string) {
    this.#dataDir = dataDir;
    this.#outDir = path.join(dataDir, "..", "server-outputs");
  }

  static async start(dataDir: string): Promise<ServerFuzzPath> {
    const fuzzPath = new ServerFuzzPath(dataDir);
    await fuzzPath.#restart();
    return fuzzPath;
  }

  /** The server's process id (tests kill its workers, not it). */
  get pid(): number | undefined {
    return this.#app?.child.pid;
  }

  async #restart(): Promise<void> {
    await this.#connection?.close().catch(() => undefined);
    if (this.#app && this.#app.child.exitCode === null) await this.#app.stop();
    this.#app = await startServedApp(this.#dataDir);
    this.#connection = await connectProtocol(`ws://127.0.0.1:${this.#app.port}/ws?token=${this.#app.token}`, {
      Origin: this.#app.origin,
    });
  }

  /** Sends one file through import, show and (accepted) both quantizes; adds each step's outcome. */
  async check(file: string, table: OutcomeTable, detail: string): Promise<void> {
    const imported = await this.runJob("models.import", { path: file });
    table.add("server import", imported.outcome, file, detail);
    const model = (imported.job?.result as { model?: { id: string; path: string; sha256: string } } | null)
      ?.model;
    if (imported.outcome.verdict === "accepted" && model) {
      table.add("server show", callOutcome(await this.#call("models.get", { id: model.id })), file, detail);
      const q8 = findQuantType("Q8_0")!;
      const params = (dryRun: boolean) => ({
        model: { modelId: model.id, path: model.path, sha256: model.sha256 },
        recipe: { type: q8.name, ftype: q8.ftype },
        threads: 1,
        dryRun,
        outPath: dryRun ? null : path.join(this.#outDir, `${model.id}-q8.gguf`),
      });
      mkdirSync(this.#outDir, { recursive: true });
      const dry = await this.runJob("quantize", params(true));
      table.add("server quantize dry run", dry.outcome, file, detail);
      const real = await this.runJob("quantize", params(false));
      table.add("server quantize Q8_0", real.outcome, file, detail);
      // The library keeps what the fuzz made; the disk does not need to.
      rmSync(this.#outDir, { recursive: true, force: true });
    }
    table.add("server alive", await this.liveness(), file, detail);
  }

  /** Starts a job over the protocol and waits for its end: a failed job is a refusal with its reason. */
  async runJob(kind: string, params: unknown): Promise<{ outcome: Outcome; job?: Job }> {
    const started = await this.#call("jobs.start", { kind, params });
    if (!started.ok) return { outcome: callOutcome(started) };
    const id = (started.value as Job).id;
    let ended: EventFrame;
    try {
      ended = await this.#connection!.waitForEvent((frame) => {
        const job = frame.payload as Partial<Job> | undefined;
        return frame.topic === "jobs.updated" && job?.id === id && finished.has(job.state ?? "");
      }, jobTimeoutMs);
    } catch {
      return { outcome: { verdict: "hang", reason: "timeout", message: `job ${id} (${kind}) did not end` } };
    }
    const job = ended.payload as Job;
    if (job.state === "succeeded") return { outcome: { verdict: "accepted" }, job };
    // A failed job must say why: an empty reason is as bad as a crash.
    const message = job.error ?? "";
    if (message === "")
      return { outcome: { verdict: "crash", reason: "no reason", message: job.state }, job };
    return { outcome: { verdict: "refused", reason: jobReason(job), message }, job };
  }

  #call(method: string, params: unknown): Promise<ResultFrame> {
    return this.#connection!.call(method, params);
  }

  /** The server still runs and answers; when it does not, that is the defect and it is restarted. */
  async liveness(): Promise<Outcome> {
    const app = this.#app!;
    let outcome: Outcome = { verdict: "accepted" };
    if (app.child.exitCode !== null || app.child.signalCode !== null) {
      outcome = {
        verdict: "crash",
        reason: "server exited",
        message: `exit ${app.child.exitCode ?? app.child.signalCode}: ${app.stderr().slice(-2000)}`,
      };
    } else {
      let timer: NodeJS.Timeout | undefined;
      const answered = await Promise.race([
        this.#call("app.info", {}).then((frame) => frame.ok),
        new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), livenessTimeoutMs))),
      ]);
      clearTimeout(timer);
      if (!answered)
        outcome = { verdict: "hang", reason: "no app.info", message: `no answer in ${livenessTimeoutMs} ms` };
    }
    if (outcome.verdict !== "accepted") await this.#restart();
    return outcome;
  }

  async close(): Promise<number | null> {
    await this.#connection?.close();
    return (await this.#app?.stop()) ?? null;
  }
}

/** A protocol call's result: a typed error is a refusal; an error without a code is a defect. */
function callOutcome(frame: ResultFrame): Outcome {
  if (frame.ok) return { verdict: "accepted" };
  const { code, message } = frame.error;
  if (code) return { verdict: "refused", reason: code, message };
  return { verdict: "crash", reason: "uncoded error", message };
}

/** A countable reason for a failed job: its error code, or the first clause of its message. */
function jobReason(job: Job): string {
  const code = job.errorDetail?.code;
  if (code && code !== "FAILED") return code;
  return (job.error ?? "")
    .replace(/^\/\S+: /, "")
    .split(":")[0]!
    .replace(/\d+/g, "N")
    .slice(0, 50);
}
