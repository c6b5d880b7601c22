// The quantization types the Compress screen offers, with a plain-words quality expectation.
// Floats, ternary and experimental types are left out: they are not compression choices for the
// usual model. The expectation is the rule of thumb from llama.cpp's quantize table, by bits/weight.
import { quantTypes, type QuantType } from "../../../shared/quantTypes.js";

export const offeredTypes: readonly QuantType[] = quantTypes.filter(
  (q) =>
    !q.aliasOf &&
    !q.copyOnly &&
    (q.category === "legacy" || q.category === "k-quant" || q.category === "i-quant"),
);

export type LossLevel = "negligible" | "very small" | "small" | "moderate" | "noticeable" | "large";

export function typicalLoss(type: QuantType): LossLevel {
  if (type.bpw >= 8) return "negligible";
  if (type.bpw >= 6) return "very small";
  if (type.bpw >= 5) return "small";
  if (type.bpw >= 4) return "moderate";
  if (type.bpw >= 3) return "noticeable";
  return "large";
}

export const lossTone: Record<LossLevel, string> = {
  negligible: "bg-emerald-50 text-emerald-700 ring-emerald-200",
  "very small": "bg-emerald-50 text-emerald-700 ring-emerald-200",
  small: "bg-lime-50 text-lime-800 ring-lime-200",
  moderate: "bg-amber-50 text-amber-800 ring-amber-200",
  noticeable: "bg-orange-50 text-orange-800 ring-orange-200",
  large: "bg-red-50 text-red-700 ring-red-200",
};
