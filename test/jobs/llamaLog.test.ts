// llama.cpp's own log lines reach the job's log for any job (here a benchmark, which loads the model
// through node-llama-cpp), and the decisive one becomes the failed job's reason: a model whose header
// contradicts its tensors fails with llama.cpp's "error loading model hyperparameters" line, not
// only node-llama-cpp's "Failed to load model".
import { readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { readGgufLayout } from "../../src/core/library/ggufLayout.js";
import type { Job } from "../../src/shared/domain/job.js";
import { buildNode, runCwb } from "../cli/runCwb.js";
import { makeRandomModel, makeTempDir, removeDir } from "../quantize/fixtures.js";

let dir: string;
let broken: string;

/** A copy of `file` whose embedding width in the header is doubled (its tensors keep theirs). */
async function withWrongWidth(file: string, out: string): Promise<string> {
  const layout = await readGgufLayout(file, statSync(file).size);
  const kv = layout.kvs.find((k) => k.key.endsWith(".embedding_length"))!;
  const bytes = readFileSync(file);
  bytes.writeUInt32LE(Number(layout.metadata.get(kv.key)) * 2, kv.end - 4);
  writeFileSync(out, bytes);
  return out;
}

beforeAll(async () => {
  buildNode();
  dir = makeTempDir("llama-log");
  const model = await makeRandomModel(path.join(dir, "model.gguf"), { layers: 1 });
  broken = await withWrongWidth(model, path.join(dir, "wrong-width.gguf"));
});
afterAll(() => removeDir(dir));

const cwb = (...args: string[]) => runCwb(["--data-dir", path.join(dir, "data"), ...args]);

it("a failed load carries llama.cpp's reason, and its lines are in the job's log", async () => {
  const run = await cwb(
    "--json",
    "bench",
    broken,
    "--gpu",
    "cpu",
    "--pp",
    "8",
    "--tg",
    "2",
    "--tg-prompt",
    "2",
    "--reps",
    "1",
    "--warmup",
    "0",
    "--warm-loads",
    "0",
    "--no-bandwidth",
  );
  expect(run.code).toBe(1);
  const job = JSON.parse(run.stdout) as Job;
  expect(job.state).toBe("failed");
  expect(job.errorDetail?.llamaReason).toMatch(/error loading model hyperparameters/);
  expect(run.stderr).toMatch(/^ {2}llama\.cpp: .*error loading model hyperparameters/m);

  const logs = await cwb("jobs", "logs", job.id);
  expect(logs.stdout).toMatch(/error +llama\.cpp: .*error loading model hyperparameters/);
  expect(logs.stdout).toMatch(/error +llama\.cpp: .*failed to load model/);
});
