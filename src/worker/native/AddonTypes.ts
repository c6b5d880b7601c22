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
  /** llama.cpp's build-info of the loaded build (llama-common's LLAMA_COMMIT), null when not found. */
  llamaCommit?(): { commit: string; buildNumber: number | null } | null;
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

/** engineBench.cpp: llama-bench's pp and tg methods on the libraries node-llama-cpp loaded. */
export interface EngineBenchOptions {
  modelPath: string;
  /** 0 or absent: llama.cpp's default. */
  threads?: number;
  /** Default: the longest test (largest prompt length, or depth + tokens). */
  contextSize?: number;
  batchSize?: number;
  gpuLayers?: number;
  flashAttention?: "auto" | "on" | "off";
  /** pp tests: random prompts of these lengths from an empty cache. */
  promptLengths?: number[];
  /** tg test: random prompt tokens decoded (untimed) before each repetition. */
  depth?: number;
  /** tg test: tokens generated per repetition; 0 skips it (default 128). */
  tokens?: number;
  reps?: number;
  seed?: number;
}

export interface EngineBenchResult {
  /** Wall time of each repetition per prompt length. */
  prompt: { length: number; repSeconds: number[] }[];
  /** Wall time of each repetition's `tokens` decodes; null when tokens was 0. */
  generation: number[] | null;
  tokens: number;
  depth: number;
  contextSize: number;
  threads: number;
  loadMs: number;
}

export interface AddonEngineBench {
  /** onEvent gets a progress event after every timed repetition. */
  /** abort() stops inside the current llama_decode; the promise rejects. */
  engineBench(
    options: EngineBenchOptions,
    onEvent?: (event: NativeJobEvent) => void,
  ): NativeTask<EngineBenchResult>;
}

/** speculate.cpp (+ speculativeDecode.cpp): speculative decoding as llama-speculative-simple runs it. */
export interface SpeculateOptions {
  targetPath: string;
  draftPath: string;
  /** Token ids per prompt (BOS included where the model wants one). */
  prompts: Int32Array[];
  /** Draft sizes to measure, in order; each prompt and repetition runs once per size. */
  draftMax: number[];
  /** Generation stops once more than this many tokens were written (default 64). */
  maxTokens?: number;
  draftMin?: number;
  /** The draft stops below this top-10 confidence (draft-simple's p_min; default 0). */
  pMin?: number;
  /** 0 (default): greedy; above: speculative sampling at this temperature. */
  temperature?: number;
  /** Sampling: the seed; each prompt and repetition draws from its own stream derived from it. */
  seed?: number;
  reps?: number;
  contextSize?: number;
  /** 0 or absent: llama.cpp's default. */
  threads?: number;
  /** llama.cpp's n_gpu_layers (-1: all); absent: the library default. */
  gpuLayers?: number;
  /** Test hook: every Nth drafted token is replaced by another id (a forced rejection). */
  corruptDraftEvery?: number;
  /** Also run the target alone for the same token count (default true). */
  targetAlone?: boolean;
}

export interface SpeculateNativeRun {
  draftMax: number;
  /** Index into prompts. */
  prompt: number;
  rep: number;
  /** Written tokens, end of generation excluded. */
  tokens: Int32Array;
  /** 1 where the token was an accepted draft token. */
  acceptedMask: Uint8Array;
  counts: { drafted: number; accepted: number; rounds: number; generated: number };
  /** Steady-clock time of the generation (prompt excluded), and its draft and target parts. */
  draftSeconds: number;
  targetSeconds: number;
  totalSeconds: number;
  /** The target alone, as many tokens (fewer at end of generation); null with targetAlone false. */
  alone: { tokens: Int32Array; seconds: number } | null;
}

export interface SpeculateNativeResult {
  runs: SpeculateNativeRun[];
  /** llama_model_size of each model. */
  targetBytes: number;
  draftBytes: number;
  threads: number;
  contextSize: number;
  loadMs: number;
}

export interface AddonSpeculate {
  /** Progress counts generations (draft size x prompt x repetition); abort() stops inside llama_decode. */
  speculate(
    options: SpeculateOptions,
    onEvent?: (event: NativeJobEvent) => void,
  ): NativeTask<SpeculateNativeResult>;
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
  /** Base pass: tokens sampled from the tail beyond the top ones, to estimate the divergence inside it (default 64). */
  tailSamples?: number;
  /** Base pass: first scored position of each chunk (default: the second half, as llama-perplexity); 0 for a distillation teacher. */
  scoreFrom?: number;
}

export interface EvaluateResult {
  nVocab: number;
  nCtx: number;
  nChunks: number;
  nScoredPerChunk: number;
  /**
   * Tokens of the text (base/plain pass; with a chunk limit only the chunks' tokens, from a tokenized
   * prefix of the text) or of the stored chunks (variant pass).
   */
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
  baseFile?: {
    path: string;
    bytes: number;
    meanK: number;
    meanRestMass: number;
    maxRestMass: number;
    kMax: number;
    massTarget: number;
    tailSamples: number;
  };
  /** evalMs: the chunk loop; decodeMs: the part of it spent in llama_decode (the rest is log-softmax and bookkeeping). */
  timings: { loadMs: number; tokenizeMs: number; evalMs: number; decodeMs: number };
}

export interface AddonEvaluate {
  evaluate(
    options: EvaluateOptions,
    /** Progress counts chunks: done of total, once before the first and after every decoded group. */
    onEvent?: (event: NativeJobEvent) => void,
  ): NativeTask<EvaluateResult>;
}

/** quantize.cpp (+ imatrixFile.cpp, jobEvents.h): llama_model_quantize set up as llama-quantize does */
/**
 * Every long addon call: its result, and abort(), which sets the flag its native loop polls between
 * steps and from llama.cpp's abort callback (inside llama_decode). Wire it to an AbortSignal with
 * runNativeTask (nativeTask.ts). Training resolves with cancelled: true; the others reject with
 * code "ABORTED".
 */
export interface NativeTask<T> {
  promise: Promise<T>;
  abort(): void;
}

export type NativeJobEvent =
  /** done/total where the job counts its steps (evaluation, importance matrix, layer importance: chunks). */
  | { type: "progress"; fraction: number; message: string; done?: number; total?: number }
  | { type: "log"; level: "info" | "warn" | "error"; message: string };

export interface QuantizeOptions {
  inPath: string;
  /** Required unless dryRun. */
  outPath?: string;
  /** llama_ftype value (src/shared/quantTypes.ts). */
  ftype: number;
  /** llama-quantize's COPY: tensors copied unchanged. */
  onlyCopy?: boolean;
  imatrixPath?: string;
  /** Regular expression on tensor names (lower-cased) → ggml type name, as --tensor-type. */
  tensorTypes?: { pattern: string; type: string }[];
  outputTensorType?: string;
  tokenEmbeddingType?: string;
  pure?: boolean;
  dryRun?: boolean;
  allowRequantize?: boolean;
  leaveOutputTensor?: boolean;
  threads?: number;
  /** Block indices to drop (llama_model_quantize_params.prune_layers). */
  pruneLayers?: number[];
}

export interface QuantizedTensor {
  index: number;
  name: string;
  shape: number[];
  fromType: string;
  toType: string;
  bytes: number;
}

export interface QuantizeResult {
  outPath: string | null;
  dryRun: boolean;
  seconds: number;
  tensorCount: number;
  originalMiB: number;
  originalBpw: number;
  quantizedMiB: number;
  quantizedBpw: number;
  /** Sum of the output tensors' data bytes (without header and padding). */
  tensorBytes: number;
  fallbacks: number;
  tensors: QuantizedTensor[];
  imatrix?: { path: string; entries: number; chunks: number; datasets: string[] };
}

export interface ImatrixFileContents {
  isLegacy: boolean;
  hasMetadata: boolean;
  chunkCount: number;
  chunkSize: number;
  datasets: string[];
  entries: Record<string, { sums: Float32Array; counts: number[] }>;
}

export interface AddonQuantize {
  /** abort() stops before the next tensor; the promise rejects and the output file is removed. */
  quantize(options: QuantizeOptions, onEvent?: (event: NativeJobEvent) => void): NativeTask<QuantizeResult>;
  loadImatrix(path: string): Promise<ImatrixFileContents>;
  ggmlTypeNames(): string[];
}

/** imatrix.cpp: llama-imatrix's accumulation through the eval callback */
export interface ImatrixOptions {
  modelPath: string;
  textPath: string;
  outPath: string;
  /** Recorded in imatrix.datasets (default: textPath). */
  datasetName?: string;
  nCtx?: number;
  nChunks?: number;
  nBatch?: number;
  nUbatch?: number;
  threads?: number;
  /** llama.cpp's n_gpu_layers (negative: all); default 0. */
  gpuLayers?: number;
  processOutput?: boolean;
  parseSpecial?: boolean;
}

export interface ImatrixResult {
  outPath: string;
  chunks: number;
  chunkCount: number;
  chunkSize: number;
  entries: number;
  tokens: number;
  seconds: number;
}

export interface AddonImatrix {
  /** abort() stops at the next chunk or inside llama_decode; the promise rejects, no file is written. */
  computeImatrix(
    options: ImatrixOptions,
    onEvent?: (event: NativeJobEvent) => void,
  ): NativeTask<ImatrixResult>;
}

/** layers.cpp: per-block importance (1 - cos(in, out)) and per-layer metadata repair after pruning */
export interface LayerImportanceOptions {
  modelPath: string;
  textPath: string;
  nCtx?: number;
  nChunks?: number;
  threads?: number;
  /** llama.cpp's n_gpu_layers (negative: all); default 0. */
  gpuLayers?: number;
}

export interface LayerImportanceResult {
  layers: { layer: number; importance: number; relativeChange: number; tokens: number }[];
  chunks: number;
  tokens: number;
  seconds: number;
}

export interface AddonLayers {
  /** abort() stops at the next chunk or inside llama_decode; the promise rejects. */
  layerImportance(
    options: LayerImportanceOptions,
    onEvent?: (event: NativeJobEvent) => void,
  ): NativeTask<LayerImportanceResult>;
  fixLayerArrays(
    inPath: string,
    outPath: string,
    options: { oldBlockCount: number; dropped: number[] },
  ): Promise<{ keys: string[]; written: boolean }>;
}

/** channelImportance.cpp: per FFN channel and per head, on calibration text (same options as layerImportance). */
export interface ChannelImportanceResult {
  layers: { layer: number; ffn: Float64Array; heads: Float64Array }[];
  headCount: number;
  headCountKv: number;
  chunks: number;
  tokens: number;
  seconds: number;
}

/** widthPruneFile.cpp: the kept FFN channels and KV groups of every block, ascending. */
export interface PruneWidthOptions {
  inPath: string;
  outPath: string;
  ffnKeep: Int32Array[];
  groupsKeep: Int32Array[];
}

export interface PruneWidthResult {
  architecture: string;
  ffnLengths: number[];
  headCounts: number[];
  headCountsKv: number[];
  nParams: number;
  fileBytes: number;
}

export interface AddonWidth {
  /** abort() stops at the next chunk or inside llama_decode; the promise rejects. */
  channelImportance(
    options: LayerImportanceOptions,
    onEvent?: (event: NativeJobEvent) => void,
  ): NativeTask<ChannelImportanceResult>;
  /** Writes through outPath + ".partial"; abort() stops between blocks and leaves no file. */
  pruneWidth(
    options: PruneWidthOptions,
    onEvent?: (event: NativeJobEvent) => void,
  ): NativeTask<PruneWidthResult>;
}

/** modelFactory.cpp: llama-architecture models from scratch, repacking, and what llama.cpp reports */
export interface CreateModelSpec {
  outPath: string;
  /** A GGUF holding tokenizer.* keys (e.g. llama.cpp's models/ggml-vocab-llama-spm.gguf). */
  vocabPath: string;
  name?: string;
  /** The model family (tensors and metadata as llama.cpp loads them); default "llama". */
  architecture?: "llama" | "qwen2" | "qwen3" | "qwen3moe" | "gemma2" | "gemma3" | "phi3";
  /** Keep the first nVocab pieces (BPE merges are cut to those still applicable); 0 or absent = all. */
  nVocab?: number;
  nEmbd?: number;
  nFf?: number;
  nLayer?: number;
  nHead?: number;
  nHeadKv?: number;
  /** <architecture>.context_length. */
  nCtx?: number;
  /** Mixture-of-experts families: experts per block and experts used per token. */
  nExpert?: number;
  nExpertUsed?: number;
  ropeFreqBase?: number;
  rmsEps?: number;
  /** Standard deviation of the random matrices (the token embedding uses 1). */
  initStd?: number;
  seed?: number;
  /** Storage of the matrices (vectors stay F32); training needs f32. Default f32. */
  type?: "f32" | "f16" | "bf16";
  /** Extra string metadata, e.g. {"general.description": "..."}. */
  metadata?: Record<string, string>;
  /**
   * Training tokens: token_embd becomes each token's coordinates in the leading singular directions
   * of the smoothed log-bigram matrix of these tokens, and output.weight the least-squares map back,
   * so the model starts as a bigram model (llama.cpp's optimizer never trains token_embd).
   */
  bigramTokens?: Int32Array;
  /** Dirichlet smoothing of the bigram towards the unigram distribution, in tokens (default 4). */
  bigramPrior?: number;
}

export interface WrittenModelFile {
  path: string;
  nParams: number;
  nVocab?: number;
  fileBytes: number;
}

export interface PackModelOptions {
  /** Tensors come from here (F32, F16 or BF16). */
  weightsPath: string;
  /** Every metadata key comes from here (general.file_type is set from `type`). */
  metadataPath: string;
  outPath: string;
  /** Default f16. */
  type?: "f32" | "f16" | "bf16";
  metadata?: Record<string, string>;
}

export interface ModelDescription {
  description: string;
  nParams: number;
  sizeBytes: number;
  nCtxTrain: number;
  nEmbd: number;
  nLayer: number;
  nHead: number;
  nVocab: number;
}

export interface AddonModelFactory {
  createModel(spec: CreateModelSpec): Promise<WrittenModelFile>;
  packModel(options: PackModelOptions): Promise<WrittenModelFile>;
  /** Loads the model (weights included) and reports llama.cpp's own figures. */
  describeModel(path: string): ModelDescription;
}

/** training.cpp: llama_opt_* training on token sequences with separate labels, and validation loss */
export interface TrainOptions {
  /** A model with F32 weights (createModel's output, or a checkpoint). */
  modelPath: string;
  /** Where the trained model goes (llama_model_save_to_file; repack with packModel for clean metadata). */
  outPath?: string;
  /** Inputs, nSequences * nCtx tokens (not with teacherPath). */
  data?: Int32Array;
  /** Targets, same shape: labels[i] is what the model should predict after seeing data[..i]. */
  labels?: Int32Array;
  /** Tokens per sequence = per optimizer step; a multiple of 256 and of nUbatch. */
  nCtx: number;
  /** Micro-batch: nCtx / nUbatch gradients are accumulated per step. */
  nUbatch: number;
  epochs?: number;
  /** Cap on optimizer steps (default epochs * sequences). */
  maxSteps?: number;
  /** Clock limit; the cosine schedule then runs on max(step, time) progress. Default none. */
  maxSeconds?: number;
  lr?: number;
  lrMin?: number;
  warmupSteps?: number;
  weightDecay?: number;
  beta1?: number;
  beta2?: number;
  optimizer?: "adamw" | "sgd";
  shuffle?: boolean;
  seed?: number;
  /** Most threads to use (default: all cores). */
  threads?: number;
  /** Also try one thread now and then and keep the faster (default true). */
  adaptiveThreads?: boolean;
  gpuLayers?: number;
  checkpointPath?: string;
  checkpointEvery?: number;
  /** Regex (ECMAScript) on tensor names to train; default: every tensor llama.cpp trains (all but token_embd). */
  trainable?: string;
  /** Also train token_embd (llama.cpp skips it by name); needs weightDecay 0. */
  trainTokenEmbedding?: boolean;
  /** Least time between progress reports (default 500 ms). */
  progressIntervalMs?: number;
  /**
   * Distillation: a teacher file (evaluate's base pass with scoreFrom 0, nCtx as here) gives the
   * sequences and the soft targets (native/src/softTargets.h); data and labels are not given.
   */
  teacherPath?: string;
  /** Distillation: a teacher file of held-out text scored at the start, every evalEvery steps and at the end. */
  heldoutTeacherPath?: string;
  heldoutSequences?: number;
  evalEvery?: number;
  /** Soft-target temperature (default 1). */
  temperature?: number;
  /** Weight of the hard label's cross-entropy, 0..1 (default 0). */
  hardWeight?: number;
  /** Resume: steps already done; the schedule and the data order continue from there. */
  startStep?: number;
  /** Resume: seconds already spent, counted against maxSeconds. */
  startSeconds?: number;
}

/** Held-out figures of the model against a teacher file (means per scored position). */
export interface NativeHeldoutPoint {
  step: number;
  objective: number;
  nll: number;
  /** KL(teacher || model) at T = 1, the evaluation's compact estimate. */
  kld: number;
  kldStdErr: number;
  positions: number;
}

export interface TrainProgress {
  step: number;
  totalSteps: number;
  epoch: number;
  /** Mean training loss (nats per token) since the previous report. */
  loss: number;
  /** Each step's loss since the previous report, oldest first; the last one is step `step`. */
  stepLosses: Float32Array;
  lr: number;
  tokens: number;
  elapsedSeconds: number;
  tokensPerSecond: number;
  etaSeconds: number;
  /** This report follows a checkpoint save. */
  checkpoint: boolean;
  threads: number;
  /** A held-out measurement not reported before (oldest first; the one at step 0 comes with the first step). */
  heldout?: NativeHeldoutPoint;
}

export interface TrainResult {
  steps: number;
  totalSteps: number;
  tokens: number;
  seconds: number;
  tokensPerSecond: number;
  /** Mean loss over the last 5% of steps. */
  finalLoss: number;
  cancelled: boolean;
  /** maxSeconds, not the step count, ended the run. */
  timeLimited: boolean;
  /** token_embd's vocabulary rows, and how many moved (both 0 when it was not trained). */
  tokenEmbeddingRows: number;
  tokenEmbeddingRowsChanged: number;
  /** null when cancelled or no outPath was given. */
  outPath: string | null;
  /** Per step: the loss (distillation: the objective). */
  stepLoss: Float32Array;
  /** Distillation: the hard-label cross-entropy per step. */
  stepHardLoss: Float32Array;
  heldout: NativeHeldoutPoint[];
}

export interface DistillLossOptions {
  modelPath: string;
  teacherPath: string;
  temperature?: number;
  hardWeight?: number;
  maxSequences?: number;
  threads?: number;
}

export interface EvaluateLossOptions {
  modelPath: string;
  data: Int32Array;
  labels: Int32Array;
  nCtx: number;
  nUbatch?: number;
  threads?: number;
  gpuLayers?: number;
}

export interface EvaluateLossResult {
  /** Summed negative log-likelihood of the labels (nats). */
  nll: number;
  count: number;
  meanLoss: number;
  perplexity: number;
  seconds: number;
}

export interface AddonTraining {
  train(options: TrainOptions, onProgress?: (progress: TrainProgress) => void): NativeTask<TrainResult>;
  /** Every position of every nCtx-token sequence is scored (sequences start with an empty cache). */
  evaluateLoss(options: EvaluateLossOptions): Promise<EvaluateLossResult>;
  /** The distillation objective, NLL and KLD of a model against a teacher file. */
  distillLoss(options: DistillLossOptions): Promise<NativeHeldoutPoint & { nCtx: number }>;
}

export type CwbNativeAddon = AddonModelFactory &
  AddonTraining &
  AddonQuantize &
  AddonImatrix &
  AddonLayers &
  AddonWidth &
  AddonBackend &
  AddonBandwidth &
  AddonEngineBench &
  AddonSpeculate &
  AddonPageCache &
  AddonEvaluate;
