// The soft-target loss as the trainer really applies it: one plain SGD step (lr 1) on a tiny real
// model moves output.weight by exactly minus the gradient the training graph computed with the
// teacher's labels written in (native/src/softTargets.h), which must equal a central finite
// difference of the distillation objective (computed independently by distillLoss) to 2 %.
import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readGgufLayout } from "../../src/core/library/ggufLayout.js";
import { vocabularyPath } from "../../src/core/reference/vocabularySource.js";
import type { CwbNativeAddon } from "../../src/worker/native/AddonTypes.js";
import { loadNative } from "../../src/worker/native/loadAddon.js";
import { referenceModel } from "../helpers/referenceModel.js";

const nCtx = 256;
const temperature = 2;
const hardWeight = 0.3;
let addon: CwbNativeAddon;
let dir: string;
let teacherFile: string;
let studentPath: string;

async function tinyModel(name: string, seed: number): Promise<string> {
  const outPath = path.join(dir, `${name}.gguf`);
  await addon.createModel({
    outPath,
    vocabPath: vocabularyPath("ggml-vocab-llama-spm.gguf"),
    name,
    nVocab: 2048,
    nEmbd: 64,
    nFf: 128,
    nLayer: 1,
    nHead: 2,
    nCtx,
    seed,
  });
  return outPath;
}

/** output.weight of a saved F32 model, with the file offset of its data. */
async function outputWeight(file: string): Promise<{ values: Float32Array; offset: number }> {
  const layout = await readGgufLayout(file, statSync(file).size);
  const t = layout.tensors.find((x) => x.name === "output.weight");
  if (!t || t.type !== 0) throw new Error(`${file}: no F32 output.weight`);
  const bytes = readFileSync(file).subarray(t.fileOffset, t.fileOffset + t.bytes);
  return {
    values: new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)),
    offset: t.fileOffset,
  };
}

/** The objective as the optimizer normalises it: summed over scored positions, divided by the rows of the step. */
async function objectiveAt(file: string): Promise<number> {
  const r = await addon.distillLoss({
    modelPath: file,
    teacherPath: teacherFile,
    temperature,
    hardWeight,
    maxSequences: 1,
    threads: 1,
  });
  return (r.objective * r.positions) / nCtx;
}

beforeAll(async () => {
  ({ addon } = await loadNative());
  dir = mkdtempSync(path.join(os.tmpdir(), "cwb-distill-grad-"));
  const ref = await referenceModel();
  const textPath = path.join(dir, "text.txt");
  writeFileSync(textPath, readFileSync(ref.calibrationText.path, "utf8").slice(0, 20_000));
  const teacher = await tinyModel("teacher", 7);
  studentPath = await tinyModel("student", 8);
  teacherFile = path.join(dir, "teacher.cwbbase");
  await addon.evaluate({
    modelPath: teacher,
    textPath,
    writeBasePath: teacherFile,
    nCtx,
    nChunks: 2,
    nBatch: nCtx,
    nThreads: 1,
    topKMax: 32,
    topMass: 1,
    tailSamples: 0,
    scoreFrom: 0,
  }).promise;
}, 600_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("soft-target gradient", () => {
  it("equals a finite difference of the distillation objective", async () => {
    const stepped = path.join(dir, "stepped.gguf");
    const run = await addon.train({
      modelPath: studentPath,
      outPath: stepped,
      teacherPath: teacherFile,
      temperature,
      hardWeight,
      nCtx,
      nUbatch: nCtx,
      maxSteps: 1,
      shuffle: false, // the step trains the first sequence, the one the objective is measured on
      optimizer: "sgd",
      lr: 1,
      lrMin: 1,
      warmupSteps: 0,
      threads: 1,
      adaptiveThreads: false,
      trainable: "^output\\.weight$",
    }).promise;
    expect(run.steps).toBe(1);
    const before = await outputWeight(studentPath);
    const after = await outputWeight(stepped);
    const gradient = before.values.map((w, i) => w - after.values[i]!);

    // The largest gradient entries and a few ordinary ones.
    const order = [...gradient.keys()].sort((a, b) => Math.abs(gradient[b]!) - Math.abs(gradient[a]!));
    const picks = [order[0]!, order[1]!, order[50]!, order[500]!];
    const eps = 1e-2;
    for (const index of picks) {
      const values: number[] = [];
      for (const sign of [1, -1]) {
        const file = path.join(dir, `perturbed-${index}-${sign}.gguf`);
        copyFileSync(studentPath, file);
        const bytes = readFileSync(file);
        const at = before.offset + 4 * index;
        bytes.writeFloatLE(before.values[index]! + sign * eps, at);
        writeFileSync(file, bytes);
        values.push(await objectiveAt(file));
      }
      const finite = (values[0]! - values[1]!) / (2 * eps);
      const analytic = gradient[index]!;
      expect(Math.abs(finite - analytic)).toBeLessThan(0.02 * Math.abs(analytic) + 1e-6);
    }
  }, 600_000);
});
