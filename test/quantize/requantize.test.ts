// The refusals of llama_model_quantize that can be told from the files, said before a job is queued,
// through the real CLI: an input that is already quantized (the message names its quantized tensor,
// the model it was made from, and both remedies), and an importance matrix made for another model.
import { existsSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Job } from "../../src/shared/domain/job.js";
import { checkImatrixMatchesModel } from "../../src/core/quantize/checkQuantizeInput.js";
import { inspectModelFile } from "../../src/core/library/importModel.js";
import { buildNode, runCwb } from "../cli/runCwb.js";
import { openHarness } from "../jobs/queueHarness.js";
import { getModel } from "../../src/core/library/modelLibrary.js";
import { findQuantType } from "../../src/shared/quantTypes.js";
import { makeRandomModel, makeTempDir, removeDir } from "./fixtures.js";

let dir: string;
let dataDir: string;
let base: string;
let quantized: string;

beforeAll(async () => {
  buildNode();
  dir = makeTempDir("requantize");
  dataDir = path.join(dir, "data");
  base = await makeRandomModel(path.join(dir, "base-f32.gguf"), { layers: 2 });
  quantized = path.join(dir, "q8.gguf");
  const made = await cwb("quantize", base, "--type", "Q8_0", "--out", quantized);
  expect(made.code, made.stderr).toBe(0);
});
afterAll(() => removeDir(dir));

const cwb = (...args: string[]) => runCwb(["--data-dir", dataDir, ...args]);

async function jobsList(): Promise<Job[]> {
  const run = await cwb("--json", "jobs", "list");
  return JSON.parse(run.stdout) as Job[];
}

/** A legacy (.dat) importance matrix with one entry: `name` over `width` columns. */
function writeLegacyImatrix(file: string, name: string, width: number): string {
  const nameBytes = Buffer.from(name, "utf8");
  const buf = Buffer.alloc(4 + 4 + nameBytes.length + 8 + width * 4);
  let at = buf.writeInt32LE(1, 0);
  at = buf.writeInt32LE(nameBytes.length, at);
  at += nameBytes.copy(buf, at);
  at = buf.writeInt32LE(10, at);
  at = buf.writeInt32LE(width, at);
  for (let i = 0; i < width; i++) at = buf.writeFloatLE(1, at);
  writeFileSync(file, buf);
  return file;
}

describe("quantizing a quantized model", () => {
  it("without --allow-requantize is refused before a job starts, with both remedies", async () => {
    const before = (await jobsList()).length;
    const out = path.join(dir, "q4-from-q8.gguf");
    const run = await cwb("quantize", quantized, "--type", "Q4_K_M", "--out", out);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/the input is already quantized \(its tensor \S+ is Q8_0\)/);
    // The library knows the model it was made from: the file to start from.
    expect(run.stderr).toContain(`start from the model it was made from (${base})`);
    expect(run.stderr).toMatch(
      /^ {2}to fix: quantize the F16\/F32 model it was made from instead, or pass --allow-requantize$/m,
    );
    expect(existsSync(out)).toBe(false);
    expect((await jobsList()).length).toBe(before);
  });

  it("started without planning (the screens' dry run) is refused the same way before a worker runs", async () => {
    const h = await openHarness({ dataDir });
    try {
      const model = getModel(h.store.db, quantized);
      const q4 = findQuantType("Q4_K_M")!;
      const job = h.queue.enqueue("quantize", {
        model: { modelId: model.id, path: model.path, sha256: model.sha256 },
        recipe: { type: q4.name, ftype: q4.ftype },
        dryRun: true,
      });
      const ended = await h.queue.waitFor(job.id);
      expect(ended.state).toBe("failed");
      expect(ended.errorDetail?.code).toBe("REQUANTIZE_DISABLED");
      expect(
        h.queue
          .logs(job.id)
          .map((line) => line.message)
          .join("\n"),
      ).not.toMatch(/worker started/);
    } finally {
      await h.close();
    }
  });

  it("with --allow-requantize succeeds", async () => {
    const out = path.join(dir, "q4-allowed.gguf");
    const run = await cwb("quantize", quantized, "--type", "Q4_K_M", "--allow-requantize", "--out", out);
    expect(run.code, run.stderr).toBe(0);
    expect(existsSync(out)).toBe(true);
  });
});

describe("an importance matrix made for another model", () => {
  it("is refused before a job starts when its tensors have other widths", async () => {
    const imatrix = writeLegacyImatrix(path.join(dir, "wide.dat"), "blk.0.attn_q.weight", 512);
    const run = await cwb("--json", "quantize", base, "--type", "Q4_K_M", "--imatrix", imatrix);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/made for another model: its entry for blk\.0\.attn_q\.weight holds 512 sums/);
    expect(run.stderr).toMatch(/needs 256 columns$/m);
  });

  it("is refused when none of its tensors is the model's, and accepted at the right widths", async () => {
    const model = await inspectModelFile(base);
    const other = writeLegacyImatrix(path.join(dir, "other.dat"), "model.layers.0.q_proj.weight", 256);
    await expect(checkImatrixMatchesModel(other, model)).rejects.toMatchObject({
      code: "IMATRIX_MODEL_MISMATCH",
      message: expect.stringMatching(
        /none of its 1 tensors \(e\.g\. model\.layers\.0\.q_proj\.weight\) is in/,
      ),
    });
    const right = writeLegacyImatrix(path.join(dir, "ok.dat"), "blk.0.attn_q.weight", 256);
    await expect(checkImatrixMatchesModel(right, model)).resolves.toBeUndefined();
  });
});
