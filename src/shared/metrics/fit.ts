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

/** What the estimate needs to know about a model (all from its GGUF header except the size). */
export interface FitModelShape {
  readonly fileBytes: number;
  readonly layers: number;
  readonly heads: number | null;
  readonly headsKv: number | null;
  readonly embeddingLength: number | null;
  readonly vocabularySize: number | null;
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

export type FitLevel = "fits" | "tight" | "no";

export interface FitVerdict {
  readonly level: FitLevel;
  /** totalBytes / available. */
  readonly share: number;
}

export interface FitResult {
  readonly estimate: MemoryEstimate;
  readonly ram: FitVerdict;
  /** Whether the whole model (weights and cache) fits on the GPU; null without a GPU. */
  readonly vram: FitVerdict | null;
}

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

export function willItFit(shape: FitModelShape, contextSize: number, machine: FitMachine): FitResult {
  const estimate = estimateMemory(shape, contextSize);
  return {
    estimate,
    ram: fitVerdict(estimate.totalBytes, machine.ramBytes),
    vram:
      machine.vramBytes && machine.vramBytes > 0 ? fitVerdict(estimate.totalBytes, machine.vramBytes) : null,
  };
}

/** The largest context (a power of two from 512) that still "fits" in RAM, or null if none does. */
export function largestFittingContext(
  shape: FitModelShape,
  machine: FitMachine,
  limit = 1 << 20,
): number | null {
  let best: number | null = null;
  for (let ctx = 512; ctx <= limit; ctx *= 2) {
    if (willItFit(shape, ctx, machine).ram.level !== "fits") break;
    best = ctx;
  }
  return best;
}
