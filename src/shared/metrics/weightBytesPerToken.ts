// How many bytes of weights one generated token has to read. Every matrix is multiplied once per
// token; embedding tables are lookups that touch one row. The token embedding is an exception when
// the model has no separate output matrix: then it doubles as the output projection (tied
// embeddings) and is read whole for every token.

export interface TensorSize {
  readonly name: string;
  readonly bytes: number;
}

const lookupTables = new Set(["token_embd.weight", "position_embd.weight", "token_types.weight"]);

export function weightBytesPerToken(tensors: readonly TensorSize[]): number {
  const tiedOutput = !tensors.some((t) => t.name === "output.weight");
  let bytes = 0;
  for (const tensor of tensors) {
    const isLookup = lookupTables.has(tensor.name) && !(tiedOutput && tensor.name === "token_embd.weight");
    if (!isLookup) bytes += tensor.bytes;
  }
  return bytes;
}
