// Storage size of each ggml tensor type, as ggml's type_traits (ggml.c, llama.cpp b0.5.0) define
// them: `blockSize` weights are stored in `typeSize` bytes. Types removed from ggml are absent, so a
// file using one is refused instead of mis-measured.
// node-llama-cpp is not imported here: it takes half a second to load, and listing models must not.

interface TypeTraits {
  readonly name: string;
  readonly blockSize: number;
  readonly typeSize: number;
}

// [ggml_type id, name, block size, bytes per block]
const table: readonly [number, string, number, number][] = [
  [0, "F32", 1, 4],
  [1, "F16", 1, 2],
  [2, "Q4_0", 32, 18],
  [3, "Q4_1", 32, 20],
  [6, "Q5_0", 32, 22],
  [7, "Q5_1", 32, 24],
  [8, "Q8_0", 32, 34],
  [9, "Q8_1", 32, 36],
  [10, "Q2_K", 256, 84],
  [11, "Q3_K", 256, 110],
  [12, "Q4_K", 256, 144],
  [13, "Q5_K", 256, 176],
  [14, "Q6_K", 256, 210],
  [15, "Q8_K", 256, 292],
  [16, "IQ2_XXS", 256, 66],
  [17, "IQ2_XS", 256, 74],
  [18, "IQ3_XXS", 256, 98],
  [19, "IQ1_S", 256, 50],
  [20, "IQ4_NL", 32, 18],
  [21, "IQ3_S", 256, 110],
  [22, "IQ2_S", 256, 82],
  [23, "IQ4_XS", 256, 136],
  [24, "I8", 1, 1],
  [25, "I16", 1, 2],
  [26, "I32", 1, 4],
  [27, "I64", 1, 8],
  [28, "F64", 1, 8],
  [29, "IQ1_M", 256, 56],
  [30, "BF16", 1, 2],
  [34, "TQ1_0", 256, 54],
  [35, "TQ2_0", 256, 66],
  [39, "MXFP4", 32, 17],
  [40, "NVFP4", 64, 36],
  [41, "Q1_0", 128, 18],
  [42, "Q2_0", 64, 18],
];

const traits = new Map<number, TypeTraits>(
  table.map(([id, name, blockSize, typeSize]) => [id, { name, blockSize, typeSize }]),
);

export function ggmlTypeName(type: number): string {
  return traits.get(type)?.name ?? `ggml type ${type}`;
}

export function ggmlTypeTraits(type: number): TypeTraits | undefined {
  return traits.get(type);
}

const traitsByName = new Map<string, TypeTraits>([...traits.values()].map((t) => [t.name, t]));

/** Weights stored in blocks (Q4_K, Q8_0, IQ4_XS, ...), as opposed to plain floats or integers. */
export function isBlockQuantized(typeName: string): boolean {
  return (traitsByName.get(typeName.toUpperCase())?.blockSize ?? 1) > 1;
}

/**
 * Bytes a tensor of this type and shape occupies, or a reason it cannot exist: an unknown type, an
 * empty dimension, or rows that are not a whole number of blocks.
 */
export function tensorBytes(type: number, shape: readonly number[]): number | string {
  const t = traits.get(type);
  if (!t) return `unknown or removed ggml type ${ggmlTypeName(type)}`;
  if (shape.length === 0 || shape.some((d) => !Number.isSafeInteger(d) || d <= 0))
    return `impossible shape [${shape.join(", ")}]`;
  const rowLength = shape[0]!;
  if (rowLength % t.blockSize !== 0)
    return `row length ${rowLength} is not a multiple of the ${ggmlTypeName(type)} block size ${t.blockSize}`;
  const rows = shape.slice(1).reduce((a, b) => a * b, 1);
  return (rowLength / t.blockSize) * t.typeSize * rows;
}
