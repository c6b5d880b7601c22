// The process that owns the database and the queue (the CLI here, the app's main process on the
// desktop) never loads llama.cpp: a llama.cpp abort there would take the whole app down. Import,
// quantize, eval and bench run from the real CLI, each on a new library (so the CLI reads the
// models' metadata itself), with the dynamic loader's file log on (LD_DEBUG, one file per
// process): the CLI's own file names no llama.cpp library and no addon, and a worker's does.
// Linux only (LD_DEBUG is glibc's).
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildNode, runCwb, type CwbResult } from "../cli/runCwb.js";
import { referenceBuildTimeoutMs, referenceModel } from "../helpers/referenceModel.js";

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

/** Runs the CLI with the loader's log and returns, per process, the native files it opened. */
async function cwbWithLoaderLog(
  name: string,
  ...args: string[]
): Promise<{ result: CwbResult; opened: Map<number, Set<string>> }> {
  const logDir = mkdtempSync(path.join(dir, `${name}-`));
  // A new library each time: the models are new to it, so the CLI reads their metadata itself.
  const result = await runCwb(["--data-dir", path.join(logDir, "data"), "--json", ...args], {
    env: { LD_DEBUG: "files", LD_DEBUG_OUTPUT: path.join(logDir, "ld") },
  });
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
  return { result, opened };
}

function expectOnlyWorkersLoadLlama(run: { result: CwbResult; opened: Map<number, Set<string>> }): void {
  expect(run.result.code, run.result.stderr.slice(-2000)).toBe(0);
  expect(run.opened.has(run.result.pid), "the CLI process wrote a loader log").toBe(true);
  expect([...run.opened.get(run.result.pid)!]).toEqual([]);
  const workers = [...run.opened].filter(([pid]) => pid !== run.result.pid);
  const workerLibraries = new Set(workers.flatMap(([, files]) => [...files]));
  expect([...workerLibraries].some((file) => file.startsWith("libllama"))).toBe(true);
  expect([...workerLibraries].some((file) => file.startsWith("cwb_native"))).toBe(true);
}

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
});
