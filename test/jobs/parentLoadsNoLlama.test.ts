// The process that owns the database and the queue (the CLI or `cwb serve` here, the app's main
// process on the desktop) never loads llama.cpp: a llama.cpp abort there would take the whole app
// down. Import, quantize, eval and bench run from the real CLI, each on a new library (so the CLI
// reads the models' metadata itself), and again through the real `cwb serve`, started over its
// WebSocket protocol, with the dynamic loader's file log on (LD_DEBUG, one file per process): the
// parent's own file names no llama.cpp library and no addon, and a worker's does. (The lint rule
// cwb/layering keeps the code that loads them in src/worker; this proves it at run time.)
// Linux only (LD_DEBUG is glibc's).
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildNode, runCwb, type CwbResult } from "../cli/runCwb.js";
import { referenceBuildTimeoutMs, referenceModel } from "../helpers/referenceModel.js";
import { startServedApp } from "../helpers/servedApp.js";
import { connectProtocol, type ProtocolConnection } from "../helpers/wsProtocolClient.js";
import type { Job } from "../../src/shared/domain/job.js";
import type { ModelRecord } from "../../src/shared/domain/model.js";
import type { JobStart } from "../../src/shared/protocol/jobKinds.js";

let dir: string;
let modelPath: string;
let textPath: string;
beforeAll(async () => {
  buildNode();
  dir = mkdtempSync(path.join(os.tmpdir(), "cwb-parent-native-"));
  const reference = await referenceModel();
  modelPath = reference.modelPath;
  textPath = reference.evalText.path;
}, referenceBuildTimeoutMs);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const nativeLibrary = /(libllama[^/\s]*\.so|libggml[^/\s]*\.so|cwb_native[^/\s]*\.node|llama-addon\.node)/;

const loaderLogEnv = (logDir: string): NodeJS.ProcessEnv => ({
  LD_DEBUG: "files",
  LD_DEBUG_OUTPUT: path.join(logDir, "ld"),
});

/** Runs the CLI with the loader's log and returns, per process, the native files it opened. */
async function cwbWithLoaderLog(
  name: string,
  ...args: string[]
): Promise<{ result: CwbResult; opened: Map<number, Set<string>> }> {
  const logDir = mkdtempSync(path.join(dir, `${name}-`));
  // A new library each time: the models are new to it, so the CLI reads their metadata itself.
  const result = await runCwb(["--data-dir", path.join(logDir, "data"), "--json", ...args], {
    env: loaderLogEnv(logDir),
  });
  return { result, opened: openedNativeFiles(logDir) };
}

/** Per process that wrote a loader log in logDir (ld.<pid>): the llama.cpp and addon files it opened. */
function openedNativeFiles(logDir: string): Map<number, Set<string>> {
  const opened = new Map<number, Set<string>>();
  for (const file of readdirSync(logDir).filter((name) => /^ld\.\d+$/.test(name))) {
    const pid = Number(file.slice("ld.".length));
    const files = new Set<string>();
    for (const line of readFileSync(path.join(logDir, file), "utf8").split("\n")) {
      const match = /file=(\S+)/.exec(line);
      const library = match?.[1] ? nativeLibrary.exec(path.basename(match[1]))?.[1] : undefined;
      if (library) files.add(library);
    }
    opened.set(pid, files);
  }
  return opened;
}

function expectOnlyWorkersLoadLlama(run: { result: CwbResult; opened: Map<number, Set<string>> }): void {
  expect(run.result.code, run.result.stderr.slice(-2000)).toBe(0);
  expectParentLoadsNoLlama(run.opened, run.result.pid, "the CLI");
}

function expectParentLoadsNoLlama(opened: Map<number, Set<string>>, parentPid: number, parent: string): void {
  expect(opened.has(parentPid), `${parent} process wrote a loader log`).toBe(true);
  expect([...opened.get(parentPid)!], `native files ${parent} process opened`).toEqual([]);
  const workers = [...opened].filter(([pid]) => pid !== parentPid);
  const workerLibraries = new Set(workers.flatMap(([, files]) => [...files]));
  expect([...workerLibraries].some((file) => file.startsWith("libllama"))).toBe(true);
  expect([...workerLibraries].some((file) => file.startsWith("cwb_native"))).toBe(true);
}

/** Starts a job over the protocol and waits for it to finish; returns the finished job. */
async function runJob(
  connection: ProtocolConnection,
  start: Promise<Awaited<ReturnType<ProtocolConnection["call"]>>>,
): Promise<Job> {
  const started = await start;
  if (!started.ok) throw new Error(`the job was refused: ${started.error.message}`);
  const id = (started.value as Job).id;
  const done = await connection.waitForEvent((frame) => {
    const payload = frame.payload as Partial<Job>;
    return (
      frame.topic === "jobs.updated" &&
      payload.id === id &&
      ["succeeded", "failed", "cancelled", "interrupted"].includes(payload.state ?? "")
    );
  }, 300_000);
  const job = done.payload as Job;
  expect(job.state, `${job.kind}: ${job.error ?? ""}`).toBe("succeeded");
  return job;
}

const startJob = (connection: ProtocolConnection, start: JobStart) =>
  runJob(connection, connection.call("jobs.start", start));

describe.skipIf(process.platform !== "linux")("the parent process never loads llama.cpp", () => {
  it("imports a model (its metadata is read in a worker) without loading llama.cpp", async () => {
    const run = await cwbWithLoaderLog("import", "models", "import", modelPath);
    expect(run.result.code, run.result.stderr.slice(-2000)).toBe(0);
    expect([...(run.opened.get(run.result.pid) ?? new Set())]).toEqual([]);
  }, 120_000);

  it("quantizes, evaluates and benchmarks with llama.cpp in workers only", async () => {
    const out = path.join(dir, "q8.gguf");
    expectOnlyWorkersLoadLlama(
      await cwbWithLoaderLog("quantize", "quantize", modelPath, "--type", "Q8_0", "--out", out),
    );
    expectOnlyWorkersLoadLlama(
      await cwbWithLoaderLog(
        "eval",
        "eval",
        out,
        "--base",
        modelPath,
        "--text",
        textPath,
        "--ctx",
        "128",
        "--chunks",
        "2",
      ),
    );
    expectOnlyWorkersLoadLlama(
      await cwbWithLoaderLog(
        "bench",
        "bench",
        out,
        "--reps",
        "1",
        "--pp",
        "16",
        "--tg",
        "4",
        "--tg-prompt",
        "4",
        "--warm-loads",
        "0",
        "--no-bandwidth",
      ),
    );
  }, 600_000);

  it("serves import, quantize, eval and bench started over the protocol, with llama.cpp in workers only", async () => {
    const logDir = mkdtempSync(path.join(dir, "serve-"));
    const app = await startServedApp(path.join(logDir, "data"), { env: loaderLogEnv(logDir) });
    let connection: ProtocolConnection | undefined;
    try {
      connection = await connectProtocol(`ws://127.0.0.1:${app.port}/ws?token=${app.token}`, {
        Origin: app.origin,
      });
      const imported = await startJob(connection, { kind: "models.import", params: { path: modelPath } });
      const base = (imported.result as { model: ModelRecord }).model;
      const quantized = await startJob(connection, {
        kind: "quantize",
        params: {
          model: { modelId: base.id, path: base.path, sha256: base.sha256 },
          recipe: { type: "Q8_0", ftype: 7 },
          outPath: path.join(logDir, "q8.gguf"),
        },
      });
      const variant = (quantized.result as { model: ModelRecord }).model;
      await runJob(
        connection,
        connection.call("eval.start", {
          baseModelId: base.id,
          variantModelIds: [variant.id],
          textPath,
          settings: { contextSize: 128, chunks: 2 },
        }),
      );
      await startJob(connection, {
        kind: "bench",
        params: {
          model: { modelId: variant.id, path: variant.path },
          settings: {
            reps: 1,
            promptLengths: [16],
            generateTokens: 4,
            generationPromptTokens: 4,
            warmLoads: 0,
            bandwidth: false,
          },
        },
      });
    } finally {
      await connection?.close();
      expect(await app.stop(), app.stderr().slice(-2000)).toBe(0);
    }
    expectParentLoadsNoLlama(openedNativeFiles(logDir), app.child.pid!, "the server");
  }, 600_000);
});
