// Random-weight llama models of real shapes for benchmarks at real sizes (bench:speed --size,
// bench:quantize --size): Llama 3.2 1B and 3B layer shapes with Llama 3's own tokenizer (llama.cpp's
// models/ggml-vocab-llama-bpe.gguf, all 128,256 pieces), made by the addon's createModel as F16 and
// quantized through the same addon call a quantize job makes (llama_model_quantize). Built once and
// cached in .cache/bench-models/<size>-<hash>/ (gitignored): the hash covers the shape, the vocabulary
// file and the llama.cpp release, so a change of any of them builds a new folder. Every file is
// written under a temporary name and renamed when complete; leftovers of an interrupted build are
// removed on the next call.
//
// Differences from the real models: the weights are random (speed and memory do not depend on their
// values) and the output matrix is separate (createModel always writes output.weight; Llama 3.2 ties
// it to the token embedding). Generation reads the same bytes per token either way (a tied embedding is
// read whole as the output matrix), but the file is larger by one embedding table.
//
// createModel keeps every matrix in F32 and its F16 copy in memory until the file is written: about
// 6 bytes per parameter (9 GB for 1B, 22 GB for 3B), checked against the free memory first.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { AddonModelFactory, AddonQuantize } from "../src/worker/native/AddonTypes.js";
import { vocabularyPath } from "../src/core/reference/vocabularySource.js";
import { llamaVersions } from "../src/core/versions.js";
import { findQuantType } from "../src/shared/quantTypes.js";
import { repoRoot } from "../test/cli/runCwb.js";
import { gb } from "./format.js";

export const realSizes = ["1B", "3B"] as const;
export type RealSize = (typeof realSizes)[number];

interface RealShape {
  name: string;
  nLayer: number;
  nEmbd: number;
  nFf: number;
  nHead: number;
  nHeadKv: number;
  /** Keep the F16 source after quantizing (bench:quantize times it); otherwise it is deleted. */
  keepSource: boolean;
}

const shapes: Record<RealSize, RealShape> = {
  "1B": {
    name: "llama-3.2-1b-shape",
    nLayer: 16,
    nEmbd: 2048,
    nFf: 8192,
    nHead: 32,
    nHeadKv: 8,
    keepSource: true,
  },
  "3B": {
    name: "llama-3.2-3b-shape",
    nLayer: 28,
    nEmbd: 3072,
    nFf: 8192,
    nHead: 24,
    nHeadKv: 8,
    keepSource: false,
  },
};

/** Llama 3's tokenizer, as the real models have it. */
const vocabFile = "ggml-vocab-llama-bpe.gguf";
const vocabPieces = 128_256;
const common = { nCtx: 131_072, ropeFreqBase: 500_000, rmsEps: 1e-5, initStd: 0.02, seed: 1 };

export type RealSizeAddon = AddonModelFactory & AddonQuantize;

export function isRealSize(value: string): value is RealSize {
  return (realSizes as readonly string[]).includes(value);
}

/**
 * Parameters of a shape, norms included: as createModel writes it (separate output matrix), or with
 * the output tied to the token embedding as in the released Llama 3.2 models.
 */
export function parameterCount(size: RealSize, { tiedOutput = false } = {}): number {
  const s = shapes[size];
  const kv = (s.nEmbd / s.nHead) * s.nHeadKv;
  const block = 2 * s.nEmbd * s.nEmbd + 2 * s.nEmbd * kv + 3 * s.nEmbd * s.nFf + 2 * s.nEmbd;
  return s.nLayer * block + (tiedOutput ? 1 : 2) * vocabPieces * s.nEmbd + s.nEmbd;
}

export function realSizeDir(size: RealSize): string {
  const hash = createHash("sha256")
    .update(JSON.stringify({ shape: shapes[size], vocabFile, vocabPieces, common }))
    .update(readFileSync(vocabularyPath(vocabFile)))
    .update(llamaVersions().llamaCppRelease ?? "unknown")
    .digest("hex")
    .slice(0, 12);
  return path.join(repoRoot, ".cache", "bench-models", `${size}-${hash}`);
}

const pidAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
};

/** Removes what an interrupted build left (its writer is gone); a live build's files stay. */
function removeLeftovers(dir: string): void {
  for (const file of readdirSync(dir)) {
    const owner = /\.partial-(\d+)(\.tmp)?$/.exec(file);
    if (owner && !pidAlive(Number(owner[1]))) rmSync(path.join(dir, file), { force: true });
  }
}

/** The F16 model of `size`, built when missing. */
export async function realSizeSource(
  size: RealSize,
  addon: RealSizeAddon,
  log: (line: string) => void = console.error,
): Promise<string> {
  const dir = realSizeDir(size);
  const out = path.join(dir, "F16.gguf");
  if (existsSync(out)) return out;
  mkdirSync(dir, { recursive: true });
  removeLeftovers(dir);
  const shape = shapes[size];
  const params = parameterCount(size);
  const needed = params * 6;
  if (os.freemem() < needed + 1e9) {
    throw new Error(
      `building the ${size} model needs about ${gb(needed)} of memory (F32 values and their F16 copy) and ${gb(os.freemem())} is free`,
    );
  }
  log(
    `building ${path.relative(repoRoot, out)}: ${(params / 1e9).toFixed(2)} B parameters, ${gb(params * 2)} (needs ${gb(needed)} of RAM)…`,
  );
  const temp = `${out}.partial-${process.pid}`;
  const started = performance.now();
  try {
    const { nVocab } = await addon.createModel({
      outPath: temp,
      vocabPath: vocabularyPath(vocabFile),
      name: shape.name,
      nEmbd: shape.nEmbd,
      nFf: shape.nFf,
      nLayer: shape.nLayer,
      nHead: shape.nHead,
      nHeadKv: shape.nHeadKv,
      ...common,
      type: "f16",
      metadata: { "general.description": `random weights in the shape of ${shape.name}, for benchmarks` },
    });
    if (nVocab !== vocabPieces) throw new Error(`${vocabFile} has ${nVocab} pieces, expected ${vocabPieces}`);
    renameSync(temp, out);
  } finally {
    rmSync(temp, { force: true });
  }
  log(`  ${gb(statSync(out).size)} in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  return out;
}

/**
 * The model of `size` quantized to each of `types` (llama.cpp names, e.g. Q4_K_M, Q8_0), built when
 * missing; the F16 source is deleted afterwards unless the shape keeps it.
 */
export async function realSizeModels(
  size: RealSize,
  types: readonly string[],
  addon: RealSizeAddon,
  log: (line: string) => void = console.error,
): Promise<{ type: string; path: string }[]> {
  const dir = realSizeDir(size);
  const outputs = types.map((type) => ({ type, path: path.join(dir, `${type}.gguf`) }));
  const missing = outputs.filter((o) => !existsSync(o.path));
  if (missing.length === 0) return outputs;
  const source = await realSizeSource(size, addon, log);
  for (const { type, path: out } of missing) {
    const quant = findQuantType(type);
    if (!quant) throw new Error(`unknown quantization type ${type}`);
    const temp = `${out}.partial-${process.pid}`;
    log(`quantizing to ${type}…`);
    const started = performance.now();
    try {
      await addon.quantize({
        inPath: source,
        outPath: temp,
        ftype: quant.ftype,
        threads: os.availableParallelism(),
      }).promise;
      renameSync(temp, out);
    } finally {
      rmSync(temp, { force: true });
    }
    log(`  ${gb(statSync(out).size)} in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  }
  if (!shapes[size].keepSource) {
    log(`removing the F16 source (${gb(statSync(source).size)}); it is rebuilt when another type is needed`);
    rmSync(source, { force: true });
  }
  return outputs;
}
