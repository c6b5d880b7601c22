// Tensor name → its data bytes, read straight from a GGUF file (for byte-exact comparisons).
import { readFileSync, statSync } from "node:fs";
import { readGgufLayout } from "../../src/core/library/ggufLayout.js";

export async function tensorBytes(file: string): Promise<Map<string, Buffer>> {
  const layout = await readGgufLayout(file, statSync(file).size);
  const buf = readFileSync(file);
  const out = new Map<string, Buffer>();
  for (const t of layout.tensors) out.set(t.name, buf.subarray(t.fileOffset, t.fileOffset + t.bytes));
  return out;
}
