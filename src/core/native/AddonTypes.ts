// The whole surface of the cwb_native addon (native/src/*.cpp), typed in one place.
// Each section names the C++ file that implements it.

/** backend.cpp */
export interface BackendDevice {
  name: string;
  description: string;
  type: "cpu" | "gpu" | "igpu" | "accel";
  backend: string;
  memoryFree: number;
  memoryTotal: number;
}

export interface AddonBackend {
  /** Loads ggml backends from binsDir unless node-llama-cpp already did; returns the devices. */
  ensureBackends(binsDir?: string): BackendDevice[];
  systemInfo(): { systemInfo: string; supportsMmap: boolean; supportsGpuOffload: boolean };
}

/** bandwidth.cpp */
export interface BandwidthProbeOptions {
  /** Buffer size in MiB (default 1024): far larger than any cache. */
  bufferMiB?: number;
  /** Reader threads (default: hardware threads). */
  threads?: number;
  /** Reads of the whole buffer per timed round (default 2). */
  passes?: number;
  /** Timed rounds; the fastest counts (default 3). */
  repeats?: number;
}

export interface BandwidthProbeResult {
  /** Bytes read per second in the fastest round. */
  bytesPerSecond: number;
  bytesPerRound: number;
  bestSeconds: number;
  roundSeconds: number[];
  bufferBytes: number;
  threads: number;
  passes: number;
  checksum: number;
}

export interface AddonBandwidth {
  measureBandwidth(options?: BandwidthProbeOptions): Promise<BandwidthProbeResult>;
}

/** pageCache.cpp */
export interface PageCacheResidency {
  /** Fraction 0..1 of the file's pages in the OS page cache; null where mincore is unavailable. */
  residentBefore: number | null;
  residentAfter: number | null;
  /** True when the OS accepted the request to drop the file's pages (Linux posix_fadvise). */
  evictSupported: boolean;
}

export interface AddonPageCache {
  fileResidency(path: string): PageCacheResidency;
  evictFromPageCache(path: string): PageCacheResidency;
}

/** evaluate.cpp (+ evaluateRows.cpp, evaluate.h: the compact base-distribution file) */
export interface EvaluateOptions {
  modelPath: string;
  /** The text (llama-perplexity -f semantics: one trailing newline dropped). Not needed with basePath. */
  textPath?: string;
  /** Variant pass: the base file written by a base pass; its tokens, n_ctx and chunk count are used. */
  basePath?: string;
  /** Base pass: write the compact base distributions here (via "<path>.partial", renamed when complete). */
  writeBasePath?: string;
  /** Validation: decode this model in lockstep and return the exact full-vocabulary KLD per position. */
  exactBaseModelPath?: string;
  /** Chunk length in tokens (llama-perplexity -c); default 512. */
  nCtx?: number;
  /** Chunks to score (llama-perplexity --chunks); negative or absent: all. */
  nChunks?: number;
  /** Logical batch (llama-perplexity -b, default 2048): n_batch / n_ctx chunks are decoded together. */
  nBatch?: number;
  nUbatch?: number;
  nThreads?: number;
  nGpuLayers?: number;
  /** Base pass: at most this many top tokens stored per position (default 64)... */
  topKMax?: number;
  /** ...or fewer once they cover this probability mass (default 0.999). */
  topMass?: number;
}

export interface EvaluateProgress {
  chunksDone: number;
  chunks: number;
  elapsedMs: number;
}

export interface EvaluateResult {
  nVocab: number;
  nCtx: number;
  nChunks: number;
  nScoredPerChunk: number;
  /** Tokens of the whole text (base/plain pass) or of the stored chunks (variant pass). */
  nTokens: number;
  addBos: boolean;
  /** −ln p(correct token) per scored position, chunk by chunk. */
  nll: Float64Array;
  /** Variant pass: the base's −ln p(correct) at the same positions. */
  baseNll?: Float64Array;
  /** Variant pass: KL(base ‖ variant) per position from the compact file. */
  kld?: Float64Array;
  /** Variant pass: 1 where the top tokens agree. */
  sameTop?: Uint8Array;
  /** With exactBaseModelPath: exact full-vocabulary KL(base ‖ variant) per position. */
  kldExact?: Float64Array;
  baseFile?: { path: string; bytes: number; meanK: number; meanRestMass: number; maxRestMass: number; kMax: number; massTarget: number };
  timings: { loadMs: number; tokenizeMs: number; evalMs: number };
}

export interface EvaluateHandle {
  promise: Promise<EvaluateResult>;
  /** Stops at the next chunk (or inside llama_decode); the promise rejects with code "ABORTED". */
  abort(): void;
}

export interface AddonEvaluate {
  evaluate(options: EvaluateOptions, onProgress?: (progress: EvaluateProgress) => void): EvaluateHandle;
}

export type CwbNativeAddon = AddonBackend & AddonBandwidth & AddonPageCache & AddonEvaluate;
