// A searched mix as something to run: the per-group choices of the recipe search turned into the
// quantize recipe's overrides (what `cwb quantize --tensor-type` takes) and into the equivalent
// llama-quantize command line, so a recipe found here can be reproduced with llama.cpp alone.
import type { QuantizeRecipe } from "./compression.js";

export interface SearchedGroupChoice {
  /** The group's --tensor-type pattern (a regular expression on tensor names). */
  readonly pattern: string;
  readonly name: string;
  readonly type: string;
}

type RecipeOverrides = Pick<QuantizeRecipe, "tensorTypes" | "outputTensorType" | "tokenEmbeddingType">;

/** token_embd and output use their own llama-quantize options; every other group a --tensor-type. */
export function searchedOverrides(choices: readonly SearchedGroupChoice[]): RecipeOverrides {
  const tensorTypes = choices
    .filter((choice) => choice.name !== "token_embd" && choice.name !== "output")
    .map((choice) => ({ pattern: choice.pattern, type: choice.type }));
  return {
    tensorTypes,
    tokenEmbeddingType: choices.find((choice) => choice.name === "token_embd")?.type ?? null,
    outputTensorType: choices.find((choice) => choice.name === "output")?.type ?? null,
  };
}

export function shellQuote(text: string): string {
  return /^[\w./=@:-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

/** `llama-quantize [--imatrix F] [--token-embedding-type T] [--output-tensor-type T] --tensor-type P=T … IN OUT BASE` */
export function llamaQuantizeCommand(
  input: string,
  output: string,
  baseType: string,
  overrides: RecipeOverrides,
  imatrixPath: string | null,
): string {
  const args = ["llama-quantize"];
  if (imatrixPath) args.push("--imatrix", imatrixPath);
  if (overrides.tokenEmbeddingType) args.push("--token-embedding-type", overrides.tokenEmbeddingType);
  if (overrides.outputTensorType) args.push("--output-tensor-type", overrides.outputTensorType);
  for (const override of overrides.tensorTypes)
    args.push("--tensor-type", `${override.pattern}=${override.type}`);
  args.push(input, output, baseType);
  return args.map(shellQuote).join(" ");
}
