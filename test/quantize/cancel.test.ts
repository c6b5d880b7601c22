// Ctrl+C on `cwb quantize`: the job is cancelled (the addon stops llama_model_quantize before its
// next tensor, test/jobs/cancelByFlag.test.ts), and neither the output nor a half-written temp file
// remains.
import { spawn } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildNode, repoRoot } from "../cli/runCwb.js";
import {
  llamaTools,
  makeRandomModel,
  makeTempDir,
  removeDir,
  runLlamaImatrix,
  writeCalibrationText,
} from "./fixtures.js";

const tools = llamaTools();
const skip = "skip" in tools ? tools.skip : null;

let dir: string;
let dataDir: string;
let model: string;
let imatrix: string;

beforeAll(async () => {
  if (skip) return;
  buildNode();
  dir = makeTempDir("qcancel");
  dataDir = path.join(dir, "data");
  model = await makeRandomModel(path.join(dir, "base-f32.gguf"), { layers: 6, seed: 3 });
  const text = writeCalibrationText(path.join(dir, "calibration.txt"), 2);
  imatrix = path.join(dir, "m.imatrix.gguf");
  if (!("skip" in tools))
    runLlamaImatrix(tools.imatrix, { model, text, out: imatrix, chunks: 4, threads: 2 });
});
afterAll(() => removeDir(dir));

describe.skipIf(skip !== null)("cancelling a quantization", () => {
  it("Ctrl+C stops it mid-way and leaves no file", async () => {
    const out = path.join(dir, "never.gguf");
    // IQ2_XXS takes many seconds on this model: long enough to interrupt mid-tensor.
    const child = spawn(
      process.execPath,
      [
        path.join(repoRoot, "bin", "cwb.js"),
        "--data-dir",
        dataDir,
        "--progress",
        "quantize",
        model,
        "--type",
        "IQ2_XXS",
        "--imatrix",
        imatrix,
        "--threads",
        "1",
        "--out",
        out,
      ],
      {
        cwd: repoRoot,
        env: { ...process.env, CWB_DATA_DIR: "" },
      },
    );
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
    const deadline = Date.now() + 60_000;
    while (!/quantizing blk\./.test(stderr) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    expect(stderr).toMatch(/quantizing blk\./); // per-tensor progress reached the CLI
    child.kill("SIGINT");
    expect(await exited).toBe(130);
    expect(stderr).toMatch(/cancelled/);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(path.join(dataDir, "tmp"))).toEqual([]);
  });
});
