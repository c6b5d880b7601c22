// "Will it fit": a pure estimate of the memory a model needs at a given context size, against the
// machine's RAM and VRAM. It is deliberately simple arithmetic over the GGUF header, good enough for
// a badge, not a promise:
//   model weights   = the file size (weights are mmapped/copied about 1:1)
//   KV cache (F16)  = 2 (K and V) × layers × context × KV heads × head dim × 2 bytes
//   compute buffer  = llama.cpp's scratch for one micro-batch: logits (vocab × ubatch × 4 bytes),
//                     activations (~6 × width × ubatch × 4) and attention scores
//                     (heads × context × ubatch × 4, without flash attention)
//   overhead        = a fixed allowance for the runtime, the context object and allocator slack
// Values unknown to the header fall back to conservative guesses, and the result says so.
//
// With a GPU the estimate is split the way llama.cpp places the work: the weights and KV cache of
// the layers offloaded count against VRAM (weights taken as spread evenly over the layers), the
// compute buffer too when any layer is offloaded; the weights and KV cache of the layers left on the
// CPU, and the runtime overhead, count against RAM. "auto" offloads as many layers as keep the GPU
// part under 80 % of the VRAM (node-llama-cpp fits layers to the free VRAM the same way).
import type { GpuChoice, GpuLayersChoice } from "../domain/gpu.js";
import type { ModelMetadata } from "../domain/model.js";

/** What the estimate needs to know about a model (all from its GGUF header except the size). */
export interface FitModelShape {
  readonly fileBytes: number;
  readonly layers: number;
  readonly heads: number | null;
  readonly headsKv: number | null;
  readonly embeddingLength: number | null;
  readonly vocabularySize: number | null;
}

/** A model file's shape as the estimate needs it: its size and what its GGUF header recorded. */
export function fitShapeOf(model: { sizeBytes: number; metadata: ModelMetadata }): FitModelShape {
  const { metadata } = model;
  return {
    fileBytes: model.sizeBytes,
    layers: metadata.layers,
    heads: metadata.heads,
    headsKv: metadata.headsKv,
    embeddingLength: metadata.embeddingLength,
    vocabularySize: metadata.vocabularySize,
  };
}

export interface FitMachine {
  readonly ramBytes: number;
  /** Total VRAM of the GPU(s), or null without one. */
  readonly vramBytes: number | null;
}

export interface MemoryEstimate {
  readonly modelBytes: number;
  readonly kvCacheBytes: number;
  readonly computeBytes: number;
  readonly overheadBytes: number;
  readonly totalBytes: number;
  /** Header fields that were missing and had to be guessed. */
  readonly guessed: readonly string[];
}

export const fitLevels = ["fits", "tight", "no"] as const;
export type FitLevel = (typeof fitLevels)[number];

export interface FitVerdict {
  readonly level: FitLevel;
  /** totalBytes / available. */
  readonly share: number;
}

/** The part of the estimate one memory holds. */
export interface MemoryPart {
  readonly weightsBytes: number;
  readonly kvCacheBytes: number;
  readonly computeBytes: number;
  readonly overheadBytes: number;
  readonly totalBytes: number;
}

export interface MemorySplit {
  /** Layers offloaded to the GPU, of `layers`. */
  readonly gpuLayers: number;
  readonly layers: number;
  readonly ram: MemoryPart;
  readonly vram: MemoryPart;
}

export interface FitResult {
  readonly estimate: MemoryEstimate;
  readonly split: MemorySplit;
  /** The RAM part (the layers left on the CPU, the overhead) against the RAM. */
  readonly ram: FitVerdict;
  /** The VRAM part (the layers offloaded) against the VRAM; null without a GPU or with nothing offloaded. */
  readonly vram: FitVerdict | null;
}

/** How the model is to be run: the device and the layers offloaded (gpu.ts's settings). */
export interface FitDeviceSettings {
  readonly gpu: GpuChoice;
  readonly gpuLayers: GpuLayersChoice;
}

export const defaultFitDevice: FitDeviceSettings = { gpu: "auto", gpuLayers: "auto" };

/** Fixed allowance for the runtime and allocator slack. */
export const overheadBytes = 256 * 1024 * 1024;
/** llama.cpp's default micro-batch: the compute buffer is sized for this many tokens at once. */
export const defaultMicroBatch = 512;
/** Above this share of the memory the system and other programs get squeezed. */
export const tightShare = 0.8;

/** K and V caches at F16 (2 bytes per element) unless told otherwise. */
export function kvCacheBytes(shape: FitModelShape, contextSize: number, bytesPerElement = 2): number {
  const { headsKv, headDim } = attentionShape(shape);
  return 2 * shape.layers * contextSize * headsKv * headDim * bytesPerElement;
}

function attentionShape(shape: FitModelShape): {
  heads: number;
  headsKv: number;
  headDim: number;
  width: number;
} {
  const width = shape.embeddingLength ?? 4096;
  const heads = shape.heads ?? 32;
  const headsKv = shape.headsKv ?? heads;
  return { heads, headsKv, headDim: width / heads, width };
}

export function estimateMemory(shape: FitModelShape, contextSize: number): MemoryEstimate {
  if (!(contextSize > 0)) throw new RangeError(`context size must be positive, got ${contextSize}`);
  const guessed: string[] = [];
  if (shape.embeddingLength === null) guessed.push("embedding length");
  if (shape.heads === null) guessed.push("attention heads");
  if (shape.headsKv === null) guessed.push("KV heads");
  if (shape.vocabularySize === null) guessed.push("vocabulary size");
  const { heads, width } = attentionShape(shape);
  const vocabulary = shape.vocabularySize ?? 32000;
  const ubatch = Math.min(contextSize, defaultMicroBatch);
  const kv = kvCacheBytes(shape, contextSize);
  const compute = ubatch * 4 * (vocabulary + 6 * width + heads * contextSize);
  return {
    modelBytes: shape.fileBytes,
    kvCacheBytes: kv,
    computeBytes: compute,
    overheadBytes,
    totalBytes: shape.fileBytes + kv + compute + overheadBytes,
    guessed,
  };
}

/** fits: under 80 % of what is there; tight: up to all of it; no: more than there is. */
export function fitVerdict(totalBytes: number, availableBytes: number): FitVerdict {
  if (!(availableBytes > 0)) return { level: "no", share: Infinity };
  const share = totalBytes / availableBytes;
  return { level: share <= tightShare ? "fits" : share <= 1 ? "tight" : "no", share };
}

function part(
  weightsBytes: number,
  kvCacheBytes: number,
  computeBytes: number,
  overhead: number,
): MemoryPart {
  return {
    weightsBytes,
    kvCacheBytes,
    computeBytes,
    overheadBytes: overhead,
    totalBytes: weightsBytes + kvCacheBytes + computeBytes + overhead,
  };
}

/** The estimate split between RAM and VRAM with `gpuLayers` of the model's layers offloaded. */
export function splitMemory(estimate: MemoryEstimate, layers: number, gpuLayers: number): MemorySplit {
  const total = Math.max(1, layers);
  const offloaded = Math.min(Math.max(0, Math.floor(gpuLayers)), total);
  const share = offloaded / total;
  const gpuWeights = estimate.modelBytes * share;
  const gpuKv = estimate.kvCacheBytes * share;
  const gpuCompute = offloaded > 0 ? estimate.computeBytes : 0;
  return {
    gpuLayers: offloaded,
    layers: total,
    vram: part(gpuWeights, gpuKv, gpuCompute, 0),
    ram: part(
      estimate.modelBytes - gpuWeights,
      estimate.kvCacheBytes - gpuKv,
      estimate.computeBytes - gpuCompute,
      estimate.overheadBytes,
    ),
  };
}

/**
 * The layers offloaded for a device setting: none on the CPU or without VRAM, all for "max", the
 * number asked (at most all), and for "auto" the most that keep the VRAM part "fitting".
 */
export function offloadedLayers(
  estimate: MemoryEstimate,
  layers: number,
  vramBytes: number | null,
  device: FitDeviceSettings,
): number {
  if (device.gpu === "cpu" || !vramBytes || vramBytes <= 0) return 0;
  if (device.gpuLayers === "max") return layers;
  if (typeof device.gpuLayers === "number") return Math.min(device.gpuLayers, layers);
  let best = 0;
  for (let n = 1; n <= layers; n++) {
    if (fitVerdict(splitMemory(estimate, layers, n).vram.totalBytes, vramBytes).level !== "fits") break;
    best = n;
  }
  return best;
}

export function willItFit(
  shape: FitModelShape,
  contextSize: number,
  machine: FitMachine,
  device: FitDeviceSettings = defaultFitDevice,
): FitResult {
  const estimate = estimateMemory(shape, contextSize);
  const gpuLayers = offloadedLayers(estimate, shape.layers, machine.vramBytes, device);
  const split = splitMemory(estimate, shape.layers, gpuLayers);
  return {
    estimate,
    split,
    ram: fitVerdict(split.ram.totalBytes, machine.ramBytes),
    vram:
      machine.vramBytes && machine.vramBytes > 0 && split.gpuLayers > 0
        ? fitVerdict(split.vram.totalBytes, machine.vramBytes)
        : null,
  };
}

/** The largest context (a power of two from 512) that still "fits" in RAM and VRAM, or null if none does. */
export function largestFittingContext(
  shape: FitModelShape,
  machine: FitMachine,
  limit = 1 << 20,
  device: FitDeviceSettings = defaultFitDevice,
): number | null {
  let best: number | null = null;
  for (let ctx = 512; ctx <= limit; ctx *= 2) {
    const fit = willItFit(shape, ctx, machine, device);
    if (fit.ram.level !== "fits" || (fit.vram !== null && fit.vram.level !== "fits")) break;
    best = ctx;
  }
  return best;
}
