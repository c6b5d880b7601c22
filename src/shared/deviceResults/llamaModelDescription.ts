// llama.cpp describes a loaded model as "<architecture> <size label> <file type>" (llama_model_desc,
// src/llama-model.cpp), the file type in llama_ftype_name's words (src/llama-model-loader.cpp):
// "llama 1B Q4_K - Medium", "qwen2 ?B (guessed) F16". This reads it back into the parts the
// library records, the file type as llama-quantize names it.
import { formatFileType } from "../format.js";

/** llama_ftype_name's words → llama-quantize's name (the library's file type without MOSTLY_/ALL_). */
const fileTypeNames: Readonly<Record<string, string>> = {
  "all F32": "F32",
  F16: "F16",
  BF16: "BF16",
  Q1_0: "Q1_0",
  Q2_0: "Q2_0",
  Q4_0: "Q4_0",
  Q4_1: "Q4_1",
  Q5_0: "Q5_0",
  Q5_1: "Q5_1",
  Q8_0: "Q8_0",
  "MXFP4 MoE": "MXFP4_MOE",
  NVFP4: "NVFP4",
  "Q2_K - Medium": "Q2_K",
  "Q2_K - Small": "Q2_K_S",
  "Q3_K - Small": "Q3_K_S",
  "Q3_K - Medium": "Q3_K_M",
  "Q3_K - Large": "Q3_K_L",
  "Q4_K - Small": "Q4_K_S",
  "Q4_K - Medium": "Q4_K_M",
  "Q5_K - Small": "Q5_K_S",
  "Q5_K - Medium": "Q5_K_M",
  Q6_K: "Q6_K",
  "TQ1_0 - 1.69 bpw ternary": "TQ1_0",
  "TQ2_0 - 2.06 bpw ternary": "TQ2_0",
  "IQ2_XXS - 2.0625 bpw": "IQ2_XXS",
  "IQ2_XS - 2.3125 bpw": "IQ2_XS",
  "IQ2_S - 2.5 bpw": "IQ2_S",
  "IQ2_M - 2.7 bpw": "IQ2_M",
  "IQ3_XS - 3.3 bpw": "IQ3_XS",
  "IQ3_XXS - 3.0625 bpw": "IQ3_XXS",
  "IQ1_S - 1.5625 bpw": "IQ1_S",
  "IQ1_M - 1.75 bpw": "IQ1_M",
  "IQ4_NL - 4.5 bpw": "IQ4_NL",
  "IQ4_XS - 4.25 bpw": "IQ4_XS",
  "IQ3_S - 3.4375 bpw": "IQ3_S",
  "IQ3_S mix - 3.66 bpw": "IQ3_M",
};

export interface LlamaModelDescription {
  architecture: string | null;
  sizeLabel: string | null;
  /** llama-quantize's name; null for a file type llama.cpp could not name ("unknown, may not work"). */
  fileType: string | null;
}

export function parseLlamaModelDescription(description: string): LlamaModelDescription {
  const [architecture, sizeLabel, ...rest] = description.trim().split(/\s+/);
  const fileTypeWords = rest.join(" ").replace(/^\(guessed\) /, "");
  return {
    architecture: architecture || null,
    sizeLabel: sizeLabel || null,
    fileType: fileTypeNames[fileTypeWords] ?? null,
  };
}

/** The library's file type ("MOSTLY_Q4_K_M", "ALL_F32") as llama-quantize names it ("Q4_K_M"). */
export function quantizeNameOfFileType(fileType: string | null): string | null {
  return fileType === null ? null : formatFileType(fileType);
}
