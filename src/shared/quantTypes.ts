// The model file types llama.cpp's quantizer (tools/quantize of the release node-llama-cpp bundles)
// can write, with the llama_ftype value passed to llama_model_quantize. `bpw` is the storage cost of the type's main tensor type in
// bits per weight (mixes like Q4_K_M end a little above it, as some tensors get a bigger type).
// `needsImatrix`: llama.cpp refuses these without an importance matrix (tensor types IQ1_*, IQ2_XXS,
// IQ2_XS, IQ2_S, IQ3_XXS, and Q2_K inside a Q2_K_S file). Pure data: the UI shows it too.

export type QuantCategory = "float" | "legacy" | "k-quant" | "i-quant" | "ternary" | "other";

export interface QuantType {
  /** Name as llama-quantize accepts it (case-insensitive). */
  readonly name: string;
  /** llama_ftype value. */
  readonly ftype: number;
  readonly bpw: number;
  readonly description: string;
  readonly needsImatrix: boolean;
  readonly category: QuantCategory;
  /** Another name for the same ftype (Q4_K = Q4_K_M). */
  readonly aliasOf?: string;
  /** Only copies tensors (no conversion): llama-quantize's COPY. */
  readonly copyOnly?: boolean;
}

const t = (
  name: string,
  ftype: number,
  bpw: number,
  category: QuantCategory,
  description: string,
  needsImatrix = false,
): QuantType => ({
  name,
  ftype,
  bpw,
  category,
  description,
  needsImatrix,
});

export const quantTypes: readonly QuantType[] = [
  t("F32", 0, 32, "float", "full 32-bit floats: the reference, no loss, largest"),
  t("F16", 1, 16, "float", "16-bit floats: practically lossless, half of F32"),
  t(
    "BF16",
    32,
    16,
    "float",
    "bfloat16: F32's exponent range at 16 bits; lossless for models trained in BF16",
  ),
  t(
    "Q8_0",
    7,
    8.5,
    "legacy",
    "8-bit, one scale per 32 weights: near-lossless, the safe default for evaluation",
  ),
  t("Q6_K", 18, 6.5625, "k-quant", "6-bit k-quant: very close to F16"),
  t(
    "Q5_K_M",
    17,
    5.5,
    "k-quant",
    "5-bit k-quant mix, attention V and FFN down kept at 6-bit: very small loss",
  ),
  t("Q5_K_S", 16, 5.5, "k-quant", "5-bit k-quant, almost everything at Q5_K"),
  t("Q5_1", 9, 6, "legacy", "5-bit with scale and offset per 32 weights (older format)"),
  t("Q5_0", 8, 5.5, "legacy", "5-bit with one scale per 32 weights (older format)"),
  t(
    "Q4_K_M",
    15,
    4.5,
    "k-quant",
    "4-bit k-quant mix, sensitive tensors at 6-bit: the usual size/quality balance",
  ),
  t(
    "Q4_K_S",
    14,
    4.5,
    "k-quant",
    "4-bit k-quant, almost everything at Q4_K: smaller, a bit worse than Q4_K_M",
  ),
  t("Q4_1", 3, 5, "legacy", "4-bit with scale and offset per 32 weights (older format)"),
  t(
    "Q4_0",
    2,
    4.5,
    "legacy",
    "4-bit with one scale per 32 weights: simple and fast, lower quality than Q4_K",
  ),
  t("IQ4_NL", 25, 4.5, "i-quant", "4-bit non-linear grid, blocks of 32: better than Q4_0 at the same size"),
  t(
    "IQ4_XS",
    30,
    4.25,
    "i-quant",
    "4.25-bit non-linear grid with super-blocks: near Q4_K_S quality, smaller",
  ),
  t("Q3_K_L", 13, 3.4375, "k-quant", "3-bit k-quant mix, many tensors at 5-bit: the best 3-bit quality"),
  t("Q3_K_M", 12, 3.4375, "k-quant", "3-bit k-quant mix, attention and FFN down raised to 4/5-bit"),
  t("Q3_K_S", 11, 3.4375, "k-quant", "3-bit k-quant throughout: small, noticeable loss"),
  t("IQ3_M", 27, 3.4375, "i-quant", "3.4-bit i-quant mix: IQ3_S with some tensors raised"),
  t("IQ3_S", 26, 3.4375, "i-quant", "3.4-bit lattice quantization"),
  t("IQ3_XS", 22, 3.3, "i-quant", "3.3-bit i-quant mix (IQ3_S / IQ3_XXS); needs an importance matrix", true),
  t("IQ3_XXS", 23, 3.0625, "i-quant", "3.06-bit lattice quantization; needs an importance matrix", true),
  t("Q2_K", 10, 2.625, "k-quant", "2-bit k-quant mix (FFN down and attention V at 3-4 bits): large loss"),
  t(
    "Q2_K_S",
    21,
    2.625,
    "k-quant",
    "2-bit k-quant, fewer tensors raised than Q2_K; needs an importance matrix",
    true,
  ),
  t(
    "IQ2_M",
    29,
    2.5,
    "i-quant",
    "i-quant mix built on IQ2_S (about 2.7 bits per weight overall); needs an importance matrix",
    true,
  ),
  t("IQ2_S", 28, 2.5, "i-quant", "2.5-bit lattice quantization; needs an importance matrix", true),
  t("IQ2_XS", 20, 2.3125, "i-quant", "2.31-bit lattice quantization; needs an importance matrix", true),
  t("IQ2_XXS", 19, 2.0625, "i-quant", "2.06-bit lattice quantization; needs an importance matrix", true),
  t(
    "IQ1_M",
    31,
    1.75,
    "i-quant",
    "1.75-bit: extreme, usually only usable on very large models; needs an importance matrix",
    true,
  ),
  t(
    "IQ1_S",
    24,
    1.5625,
    "i-quant",
    "1.56-bit: the smallest i-quant, heavy loss; needs an importance matrix",
    true,
  ),
  t("TQ2_0", 37, 2.0625, "ternary", "ternary weights (-1/0/1) at 2.06 bits: only for models trained ternary"),
  t("TQ1_0", 36, 1.6875, "ternary", "ternary weights packed at 1.69 bits: only for models trained ternary"),
  t("Q2_0", 41, 2.25, "other", "2-bit, one scale per 64 weights"),
  t("Q1_0", 40, 1.125, "other", "1-bit sign with one scale per 128 weights: for binarised models"),
  t(
    "MXFP4_MOE",
    38,
    4.25,
    "other",
    "MXFP4 (4-bit float, shared exponent per 32) for MoE expert tensors, rest Q8_0",
  ),
  { ...t("Q4_K", 15, 4.5, "k-quant", "alias of Q4_K_M"), aliasOf: "Q4_K_M" },
  { ...t("Q5_K", 17, 5.5, "k-quant", "alias of Q5_K_M"), aliasOf: "Q5_K_M" },
  { ...t("Q3_K", 12, 3.4375, "k-quant", "alias of Q3_K_M"), aliasOf: "Q3_K_M" },
  {
    ...t(
      "COPY",
      0,
      0,
      "other",
      "copies every tensor unchanged (re-writes the file; with pruning: drops blocks only)",
    ),
    copyOnly: true,
  },
];

/** Finds a type by name, case-insensitively (as llama-quantize parses it). */
export function findQuantType(name: string): QuantType | undefined {
  const upper = name.trim().toUpperCase();
  return quantTypes.find((q) => q.name === upper);
}

/** The canonical name for a type (an alias resolves to the type it stands for). */
export function canonicalQuantName(type: QuantType): string {
  return type.aliasOf ?? type.name;
}
