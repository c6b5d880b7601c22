// Per ggml type: how many tensors and bytes a model has, largest share first.
import type { TensorInfo } from "../../../shared/domain/model.js";

export interface TensorTypeTotal {
  readonly type: string;
  readonly count: number;
  readonly bytes: number;
  readonly elements: number;
}

export function tensorTypeTotals(tensors: readonly TensorInfo[]): TensorTypeTotal[] {
  const totals = new Map<string, { count: number; bytes: number; elements: number }>();
  for (const tensor of tensors) {
    const total = totals.get(tensor.type) ?? { count: 0, bytes: 0, elements: 0 };
    total.count++;
    total.bytes += tensor.bytes;
    total.elements += tensor.shape.reduce((product, dim) => product * dim, 1);
    totals.set(tensor.type, total);
  }
  return [...totals]
    .map(([type, total]) => ({ type, ...total }))
    .sort((a, b) => b.bytes - a.bytes || a.type.localeCompare(b.type));
}
