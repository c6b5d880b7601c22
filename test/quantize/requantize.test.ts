// A model that is already quantized, quantized again without allowing it, through the real CLI:
// llama.cpp refuses, and the user reads the domain's message, llama.cpp's own reason and the remedy
// as the CLI's flag; the failed job keeps the error as data (code, reason, remedy action).
import { existsSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Job } from "../../src/shared/domain/job.js";
import { buildNode, runCwb } from "../cli/runCwb.js";
import { makeRandomModel, makeTempDir, removeDir } from "./fixtures.js";

let dir: string;
let dataDir: string;
let quantized: string;

beforeAll(async () => {
  buildNode();
  dir = makeTempDir("requantize");
  dataDir = path.join(dir, "data");
  const base = await makeRandomModel(path.join(dir, "base-f32.gguf"), { layers: 2 });
  quantized = path.join(dir, "q8.gguf");
  const made = await cwb("quantize", base, "--type", "Q8_0", "--out", quantized);
  expect(made.code, made.stderr).toBe(0);
});
afterAll(() => removeDir(dir));

const cwb = (...args: string[]) => runCwb(["--data-dir", dataDir, ...args]);

describe("quantizing a quantized model", () => {
  it("without --allow-requantize fails with the reason and the flag that allows it", async () => {
    const out = path.join(dir, "q4-from-q8.gguf");
    const run = await cwb("--json", "quantize", quantized, "--type", "Q4_K_M", "--out", out);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/already quantized \(it has Q8_0 tensors\)/);
    // llama.cpp's own reason, although llama.cpp logs it into the tensor line it interrupted.
    expect(run.stderr).toMatch(/^ {2}llama\.cpp: requantizing from type q8_0 is disabled$/m);
    expect(run.stderr).toMatch(/^ {2}to fix: pass --allow-requantize$/m);
    expect(existsSync(out)).toBe(false);

    const job = JSON.parse(run.stdout) as Job;
    expect(job.state).toBe("failed");
    expect(job.errorDetail).toMatchObject({
      code: "REQUANTIZE_DISABLED",
      llamaReason: "requantizing from type q8_0 is disabled",
      remedies: ["allow-requantize"],
      file: quantized,
    });
    expect(job.errorDetail?.message).not.toMatch(/--/);

    // The stored job says the same when read back later.
    const shown = await cwb("jobs", "show", job.id);
    expect(shown.stdout).toMatch(/^to fix: +pass --allow-requantize$/m);
  });

  it("with --allow-requantize succeeds", async () => {
    const out = path.join(dir, "q4-allowed.gguf");
    const run = await cwb("quantize", quantized, "--type", "Q4_K_M", "--allow-requantize", "--out", out);
    expect(run.code, run.stderr).toBe(0);
    expect(existsSync(out)).toBe(true);
  });
});
