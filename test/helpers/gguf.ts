// Writes a tiny llama-architecture GGUF (v3) from scratch, so tests never need a downloaded model,
// plus corrupt variants for refusal tests. The file follows the GGUF layout llama.cpp reads: header,
// key/value metadata (incl. a 298-token SentencePiece-style vocab with all 256 byte tokens), tensor
// infos, padding to the alignment, then each tensor's data padded to the alignment.
import { copyFileSync, readFileSync, truncateSync, writeFileSync, statSync } from "node:fs";

const alignment = 32;

// GGUF value types (gguf.h).
const T = {
  u8: 0,
  i8: 1,
  u16: 2,
  i16: 3,
  u32: 4,
  i32: 5,
  f32: 6,
  bool: 7,
  string: 8,
  array: 9,
  u64: 10,
  i64: 11,
  f64: 12,
} as const;

// ggml tensor types used here and llama_ftype values for general.file_type.
const ggmlF32 = 0;
const ggmlF16 = 1;
const ftypeAllF32 = 0;
const ftypeMostlyF16 = 1;

type KvValue =
  | { type: "u32" | "i32" | "f32" | "u64"; value: number }
  | { type: "string"; value: string }
  | { type: "bool"; value: boolean }
  | { type: "strings"; value: readonly string[] }
  | { type: "f32s" | "i32s"; value: readonly number[] };

export interface TinyGgufOptions {
  /** Repeated transformer blocks (llama.block_count). Default 2. 0 writes impossible metadata. */
  layers?: number;
  /** Weight matrices in F16 (default) or F32; norms are always F32. */
  weights?: "F16" | "F32";
  /** Seeds the weights, so different seeds give different files (and sha256). Default 1. */
  seed?: number;
  name?: string;
  /** Adds this many bytes to the last tensor's data offset: points its data past the end of file. */
  lastTensorOffsetShift?: number;
  /** Writes no tensors at all (an "architecture" with nothing in it). */
  noTensors?: boolean;
  /** Replaces general.architecture. */
  architecture?: string;
  /** Stores feed_forward_length and attention.head_count as per-block arrays (as some converters do). */
  perLayerArrays?: boolean;
  /** Writes this ggml type id for the first tensor (e.g. 4, the removed Q4_2) without changing its data. */
  firstTensorType?: number;
  /** Replaces the text of one vocabulary piece (same count, one token read differently). */
  replaceToken?: { id: number; text: string };
}

export interface TinyGgufInfo {
  path: string;
  sizeBytes: number;
  tensorCount: number;
  parameterCount: number;
  layers: number;
  embeddingLength: number;
  feedForwardLength: number;
  heads: number;
  headsKv: number;
  contextLength: number;
  vocabularySize: number;
  /** Offset of the first tensor's data: cutting the file after this truncates the data. */
  dataOffset: number;
  chatTemplate: string;
  fileType: "ALL_F32" | "MOSTLY_F16";
}

const dims = { embd: 64, ff: 128, heads: 4, headsKv: 2, ctx: 256 };
export const tinyChatTemplate =
  "{% for message in messages %}<|{{ message['role'] }}|>{{ message['content'] }}</s>{% endfor %}{% if add_generation_prompt %}<|assistant|>{% endif %}";

function vocabulary(): { tokens: string[]; scores: number[]; types: number[] } {
  const tokens: string[] = ["<unk>", "<s>", "</s>"];
  const types: number[] = [2, 3, 3]; // unknown, control, control
  for (let b = 0; b < 256; b++) {
    tokens.push(`<0x${b.toString(16).toUpperCase().padStart(2, "0")}>`);
    types.push(6); // byte
  }
  const pieces = [
    "▁",
    ..."abcdefghijklmnopqrstuvwxyz".split(""),
    "▁the",
    "▁a",
    "▁of",
    "▁and",
    "▁to",
    "▁in",
    "▁is",
    "▁it",
    "▁that",
    "▁was",
    "▁for",
    "▁on",
  ];
  for (const piece of pieces) {
    tokens.push(piece);
    types.push(1); // normal
  }
  // SentencePiece scores: higher is preferred; byte tokens and specials score 0.
  const scores = tokens.map((_, i) => (types[i] === 1 ? -i : 0));
  return { tokens, scores, types };
}

/** A small deterministic PRNG (mulberry32), so files are reproducible byte for byte. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class ByteWriter {
  private chunks: Buffer[] = [];
  length = 0;
  push(buf: Buffer): void {
    this.chunks.push(buf);
    this.length += buf.length;
  }
  u32(v: number): void {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(v);
    this.push(b);
  }
  i32(v: number): void {
    const b = Buffer.alloc(4);
    b.writeInt32LE(v);
    this.push(b);
  }
  u64(v: number | bigint): void {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt(v));
    this.push(b);
  }
  f32(v: number): void {
    const b = Buffer.alloc(4);
    b.writeFloatLE(v);
    this.push(b);
  }
  str(s: string): void {
    const bytes = Buffer.from(s, "utf8");
    this.u64(bytes.length);
    this.push(bytes);
  }
  padTo(align: number): void {
    const pad = (align - (this.length % align)) % align;
    if (pad > 0) this.push(Buffer.alloc(pad));
  }
  toBuffer(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

function writeKv(w: ByteWriter, key: string, kv: KvValue): void {
  w.str(key);
  switch (kv.type) {
    case "u32":
      w.u32(T.u32);
      w.u32(kv.value);
      break;
    case "i32":
      w.u32(T.i32);
      w.i32(kv.value);
      break;
    case "u64":
      w.u32(T.u64);
      w.u64(kv.value);
      break;
    case "f32":
      w.u32(T.f32);
      w.f32(kv.value);
      break;
    case "bool":
      w.u32(T.bool);
      w.push(Buffer.from([kv.value ? 1 : 0]));
      break;
    case "string":
      w.u32(T.string);
      w.str(kv.value);
      break;
    case "strings":
      w.u32(T.array);
      w.u32(T.string);
      w.u64(kv.value.length);
      for (const s of kv.value) w.str(s);
      break;
    case "f32s":
      w.u32(T.array);
      w.u32(T.f32);
      w.u64(kv.value.length);
      for (const v of kv.value) w.f32(v);
      break;
    case "i32s":
      w.u32(T.array);
      w.u32(T.i32);
      w.u64(kv.value.length);
      for (const v of kv.value) w.i32(v);
      break;
  }
}

interface TensorSpec {
  name: string;
  /** ggml order: innermost (row length) first. */
  shape: number[];
  type: number;
  /** "ones" for norms, otherwise small random values. */
  init: "ones" | "random";
}

function tensorSpecs(layers: number, vocab: number, weightType: number): TensorSpec[] {
  const { embd, ff, heads, headsKv } = dims;
  const kvDim = (embd / heads) * headsKv;
  const specs: TensorSpec[] = [
    { name: "token_embd.weight", shape: [embd, vocab], type: weightType, init: "random" },
  ];
  for (let i = 0; i < layers; i++) {
    specs.push(
      { name: `blk.${i}.attn_norm.weight`, shape: [embd], type: ggmlF32, init: "ones" },
      { name: `blk.${i}.attn_q.weight`, shape: [embd, embd], type: weightType, init: "random" },
      { name: `blk.${i}.attn_k.weight`, shape: [embd, kvDim], type: weightType, init: "random" },
      { name: `blk.${i}.attn_v.weight`, shape: [embd, kvDim], type: weightType, init: "random" },
      { name: `blk.${i}.attn_output.weight`, shape: [embd, embd], type: weightType, init: "random" },
      { name: `blk.${i}.ffn_norm.weight`, shape: [embd], type: ggmlF32, init: "ones" },
      { name: `blk.${i}.ffn_gate.weight`, shape: [embd, ff], type: weightType, init: "random" },
      { name: `blk.${i}.ffn_down.weight`, shape: [ff, embd], type: weightType, init: "random" },
      { name: `blk.${i}.ffn_up.weight`, shape: [embd, ff], type: weightType, init: "random" },
    );
  }
  specs.push(
    { name: "output_norm.weight", shape: [embd], type: ggmlF32, init: "ones" },
    { name: "output.weight", shape: [embd, vocab], type: weightType, init: "random" },
  );
  return specs;
}

function tensorData(spec: TensorSpec, next: () => number): Buffer {
  const count = spec.shape.reduce((a, b) => a * b, 1);
  const values = new Float32Array(count);
  for (let i = 0; i < count; i++) values[i] = spec.init === "ones" ? 1 : (next() * 2 - 1) * 0.08;
  if (spec.type === ggmlF32) return Buffer.from(values.buffer);
  const half = Buffer.alloc(count * 2);
  for (let i = 0; i < count; i++) half.writeUInt16LE(toHalf(values[i]!), i * 2);
  return half;
}

/** float32 → IEEE half, round-to-nearest; enough for small weights (no NaN/Inf inputs). */
function toHalf(value: number): number {
  const f = new Float32Array([value]);
  const bits = new Uint32Array(f.buffer)[0]!;
  const sign = (bits >>> 16) & 0x8000;
  const exp = ((bits >>> 23) & 0xff) - 127 + 15;
  const mant = bits & 0x7fffff;
  if (exp <= 0) {
    if (exp < -10) return sign;
    const m = (mant | 0x800000) >>> (1 - exp);
    return sign | ((m + 0x1000) >>> 13);
  }
  if (exp >= 31) return sign | 0x7c00;
  return (sign | (exp << 10) | (mant >>> 13)) + ((mant >>> 12) & 1);
}

/** Writes the tiny model to `path` and describes what it wrote. */
export function writeTinyGguf(path: string, options: TinyGgufOptions = {}): TinyGgufInfo {
  const layers = options.layers ?? 2;
  const weightType = options.weights === "F32" ? ggmlF32 : ggmlF16;
  const vocab = vocabulary();
  if (options.replaceToken) vocab.tokens[options.replaceToken.id] = options.replaceToken.text;
  const arch = options.architecture ?? "llama";
  const specs = options.noTensors ? [] : tensorSpecs(layers, vocab.tokens.length, weightType);
  const next = random(options.seed ?? 1);

  const kvs: [string, KvValue][] = [
    ["general.architecture", { type: "string", value: arch }],
    ["general.name", { type: "string", value: options.name ?? "cwb tiny llama" }],
    ["general.file_type", { type: "u32", value: weightType === ggmlF32 ? ftypeAllF32 : ftypeMostlyF16 }],
    ["general.quantization_version", { type: "u32", value: 2 }],
    ["general.alignment", { type: "u32", value: alignment }],
    [`${arch}.context_length`, { type: "u32", value: dims.ctx }],
    [`${arch}.embedding_length`, { type: "u32", value: dims.embd }],
    [`${arch}.block_count`, { type: "u32", value: layers }],
    [
      `${arch}.feed_forward_length`,
      options.perLayerArrays
        ? { type: "i32s", value: Array<number>(layers).fill(dims.ff) }
        : { type: "u32", value: dims.ff },
    ],
    [
      `${arch}.attention.head_count`,
      options.perLayerArrays
        ? { type: "i32s", value: Array<number>(layers).fill(dims.heads) }
        : { type: "u32", value: dims.heads },
    ],
    [`${arch}.attention.head_count_kv`, { type: "u32", value: dims.headsKv }],
    [`${arch}.rope.dimension_count`, { type: "u32", value: dims.embd / dims.heads }],
    [`${arch}.attention.layer_norm_rms_epsilon`, { type: "f32", value: 1e-5 }],
    [`${arch}.vocab_size`, { type: "u32", value: vocab.tokens.length }],
    ["tokenizer.ggml.model", { type: "string", value: "llama" }],
    ["tokenizer.ggml.tokens", { type: "strings", value: vocab.tokens }],
    ["tokenizer.ggml.scores", { type: "f32s", value: vocab.scores }],
    ["tokenizer.ggml.token_type", { type: "i32s", value: vocab.types }],
    ["tokenizer.ggml.unknown_token_id", { type: "u32", value: 0 }],
    ["tokenizer.ggml.bos_token_id", { type: "u32", value: 1 }],
    ["tokenizer.ggml.eos_token_id", { type: "u32", value: 2 }],
    ["tokenizer.ggml.add_bos_token", { type: "bool", value: true }],
    ["tokenizer.ggml.add_eos_token", { type: "bool", value: false }],
    ["tokenizer.chat_template", { type: "string", value: tinyChatTemplate }],
  ];

  const data = specs.map((spec) => tensorData(spec, next));
  const offsets: number[] = [];
  let cursor = 0;
  for (const buf of data) {
    offsets.push(cursor);
    cursor += Math.ceil(buf.length / alignment) * alignment;
  }
  if (options.lastTensorOffsetShift && offsets.length > 0)
    offsets[offsets.length - 1]! += options.lastTensorOffsetShift;

  const w = new ByteWriter();
  w.push(Buffer.from("GGUF", "ascii"));
  w.u32(3);
  w.u64(specs.length);
  w.u64(kvs.length);
  for (const [key, kv] of kvs) writeKv(w, key, kv);
  specs.forEach((spec, i) => {
    w.str(spec.name);
    w.u32(spec.shape.length);
    for (const d of spec.shape) w.u64(d);
    w.u32(i === 0 && options.firstTensorType !== undefined ? options.firstTensorType : spec.type);
    w.u64(offsets[i]!);
  });
  w.padTo(alignment);
  const dataOffset = w.length;
  for (const buf of data) {
    w.push(buf);
    w.padTo(alignment);
  }
  const bytes = w.toBuffer();
  writeFileSync(path, bytes);

  return {
    path,
    sizeBytes: bytes.length,
    tensorCount: specs.length,
    parameterCount: specs.reduce((sum, s) => sum + s.shape.reduce((a, b) => a * b, 1), 0),
    layers,
    embeddingLength: dims.embd,
    feedForwardLength: dims.ff,
    heads: dims.heads,
    headsKv: dims.headsKv,
    contextLength: dims.ctx,
    vocabularySize: vocab.tokens.length,
    dataOffset,
    chatTemplate: tinyChatTemplate,
    fileType: weightType === ggmlF32 ? "ALL_F32" : "MOSTLY_F16",
  };
}

/** A copy of `source` cut to `keepBytes` (default: half of the file, i.e. inside the tensor data). */
export function writeTruncatedCopy(source: string, dest: string, keepBytes?: number): void {
  copyFileSync(source, dest);
  truncateSync(dest, keepBytes ?? Math.floor(statSync(source).size / 2));
}

/** A copy of `source` whose first four bytes are not "GGUF". */
export function writeWrongMagicCopy(source: string, dest: string): void {
  const bytes = readFileSync(source);
  bytes.write("GGUX", 0, "ascii");
  writeFileSync(dest, bytes);
}

/** Something that is plainly not a model at all. */
export function writeNotGguf(dest: string): void {
  writeFileSync(dest, "This is a text file pretending to be a model.\n".repeat(20));
}
