// Recipe search: the tensor groups the search varies (tensor class × band of blocks, plus token_embd
// and output) and the exact bytes of each group at each candidate type, from the tensor shapes and
// the type's block size. A type whose block does not divide a tensor's rows is replaced as
// llama-quantize replaces it (llama_tensor_get_type's fallback), so the size predicted is the size
// written.
import { ggmlTypeTraits, tensorBytes } from "../library/ggmlTypes.js";

export interface SearchTensor {
  readonly name: string;
  readonly shape: readonly number[];
}

export interface SearchGroup {
  /** e.g. "ffn_down@0-3", "token_embd", "output" */
  readonly name: string;
  /** The --tensor-type pattern that selects exactly this group's tensors. */
  readonly pattern: string;
  readonly tensors: readonly SearchTensor[];
}

const typeIds = new Map<string, number>();
for (let id = 0; id < 64; id += 1) {
  const traits = ggmlTypeTraits(id);
  if (traits) typeIds.set(traits.name, id);
}

// llama.cpp's replacement when a row is not a whole number of blocks (tensor_type_fallback in the
// bundled llama-quant.cpp); 32-weight types that still do not fit become F16.
const rowFallback: Readonly<Record<string, string>> = {
  Q2_K: "Q4_0",
  Q3_K: "Q4_0",
  Q2_0: "Q4_0",
  TQ1_0: "Q4_0",
  TQ2_0: "Q4_0",
  IQ4_XS: "IQ4_NL",
  IQ2_XXS: "IQ4_NL",
  IQ2_XS: "IQ4_NL",
  IQ2_S: "IQ4_NL",
  IQ3_XXS: "IQ4_NL",
  IQ3_S: "IQ4_NL",
  IQ1_S: "IQ4_NL",
  IQ1_M: "IQ4_NL",
  Q4_K: "Q5_0",
  Q5_K: "Q5_1",
  Q6_K: "Q8_0",
};

/** The type llama-quantize actually writes for a tensor asked to be `type`. */
export function effectiveType(type: string, shape: readonly number[]): string {
  const id = typeIds.get(type.toUpperCase());
  if (id === undefined) throw new Error(`Unknown tensor type ${type}`);
  const name = ggmlTypeTraits(id)!.name;
  if (typeof tensorBytes(id, shape) === "number") return name;
  const fallback = rowFallback[name];
  return fallback && typeof tensorBytes(typeIds.get(fallback)!, shape) === "number" ? fallback : "F16";
}

/** Exact bytes of a group's tensors, every one asked to be `type`, each padded to `alignment` as in the file. */
export function groupBytes(group: SearchGroup, type: string, alignment = 1): number {
  let total = 0;
  for (const tensor of group.tensors) {
    const bytes = tensorBytes(typeIds.get(effectiveType(type, tensor.shape))!, tensor.shape);
    if (typeof bytes !== "number") throw new Error(`${tensor.name}: ${bytes}`);
    total += Math.ceil(bytes / alignment) * alignment;
  }
  return total;
}

/**
 * Groups the quantizable weight matrices: per tensor class, blocks in bands of `bandSize`
 * (1 for shallow models), plus token_embd and output on their own. Norms and biases (1-D) stay
 * at their type and are not searched.
 */
export function searchGroups(tensors: readonly SearchTensor[], bandSize: number): SearchGroup[] {
  const groups = new Map<string, { pattern: string; tensors: SearchTensor[] }>();
  for (const tensor of tensors) {
    if (tensor.shape.length < 2) continue;
    const block = /^blk\.(\d+)\.(.+)\.weight$/.exec(tensor.name);
    let name: string;
    let pattern: string;
    if (block) {
      const first = Math.floor(Number(block[1]) / bandSize) * bandSize;
      const blocks = Array.from({ length: bandSize }, (_, i) => first + i).join("|");
      name = bandSize === 1 ? `${block[2]}@${first}` : `${block[2]}@${first}-${first + bandSize - 1}`;
      pattern = `^blk\\.(${blocks})\\.${block[2]!.replace(/\./g, "\\.")}\\.weight$`;
    } else if (tensor.name === "token_embd.weight" || tensor.name === "output.weight") {
      name = tensor.name.replace(/\.weight$/, "");
      pattern = `^${name}\\.weight$`;
    } else continue;
    const group = groups.get(name) ?? { pattern, tensors: [] };
    group.tensors.push(tensor);
    groups.set(name, group);
  }
  return [...groups].map(([name, group]) => ({ name, ...group }));
}
