// Checks a quantize request against its files before a job is queued, so the common refusals of
// llama_model_quantize are explained before a worker starts: an input that is already quantized
// (llama-quant.cpp refuses "requantizing from type X" unless allowed), and an importance matrix made
// for another model (llama.cpp would use none of its entries, or abort on a width it does not expect).
import { open, readFile, stat } from "node:fs/promises";
import type { ModelRecord } from "../../shared/domain/model.js";
import { CodedError } from "../errors.js";
import { getModelById } from "../store/models.js";
import type { Db } from "../store/Store.js";
import { isBlockQuantized } from "../library/ggmlTypes.js";
import { readGgufLayout, type GgufLayout } from "../library/ggufLayout.js";

/** The first matrix of the model stored in blocks (a quantized tensor), or null. */
export function firstQuantizedMatrix(model: ModelRecord): { name: string; type: string } | null {
  const tensor = model.metadata.tensors.find((t) => t.shape.length >= 2 && isBlockQuantized(t.type));
  return tensor ? { name: tensor.name, type: tensor.type } : null;
}

/**
 * Refuses an input whose weights are already quantized, unless requantizing is allowed. `parent` is
 * the model it was made from when the library knows it: the file to start from instead.
 */
export function checkNotQuantized(
  model: ModelRecord,
  parent: ModelRecord | null,
  allowRequantize: boolean,
): void {
  if (allowRequantize) return;
  const quantized = firstQuantizedMatrix(model);
  if (!quantized) return;
  const start = parent
    ? `; start from the model it was made from (${parent.path})`
    : "; start from its F16/F32 file";
  throw new CodedError(
    "REQUANTIZE_DISABLED",
    `${model.path}: the input is already quantized (its tensor ${quantized.name} is ${quantized.type}); ` +
      `quantizing it again compounds the loss, so llama.cpp refuses unless requantizing is allowed${start}`,
    { remedies: ["start-from-unquantized", "allow-requantize"], file: model.path },
  );
}

/** checkNotQuantized for a library model, naming the model it was made from when the library has it. */
export function checkLibraryModelNotQuantized(db: Db, model: ModelRecord, allowRequantize: boolean): void {
  const parent = model.parentId ? (getModelById(db, model.parentId) ?? null) : null;
  checkNotQuantized(model, parent, allowRequantize);
}

/** The importance matrix's entries: tensor name and how many sums it holds (row width × experts). */
export async function readImatrixWidths(file: string): Promise<Map<string, number>> {
  const head = Buffer.alloc(4);
  const handle = await open(file, "r");
  try {
    await handle.read(head, 0, 4, 0);
  } finally {
    await handle.close();
  }
  const widths = new Map<string, number>();
  if (head.toString("latin1") === "GGUF") {
    const layout = await readGgufLayout(file, (await stat(file)).size);
    checkImatrixGguf(file, layout);
    for (const tensor of layout.tensors) {
      const name = tensor.name.endsWith(".in_sum2") ? tensor.name.slice(0, -".in_sum2".length) : null;
      // One row of sums per matrix: [n_embd or n_ff, experts] for a mixture of experts.
      if (name !== null)
        widths.set(
          name,
          tensor.shape.reduce((a, b) => a * b, 1),
        );
    }
    return widths;
  }
  // Legacy .dat: entries, then per entry: name length, name, calls, value count, values (float32).
  const data = await readFile(file);
  const fail = (): never => {
    throw new CodedError(
      "IMATRIX_INVALID",
      `${file}: not an importance matrix (neither GGUF nor legacy .dat)`,
      {
        file,
      },
    );
  };
  let at = 0;
  const int32 = (): number => {
    if (at + 4 > data.length) fail();
    const value = data.readInt32LE(at);
    at += 4;
    return value;
  };
  const entries = int32();
  if (entries < 1) fail();
  for (let i = 0; i < entries; i++) {
    const length = int32();
    if (length <= 0 || length > 4096 || at + length > data.length) fail();
    const name = data.toString("utf8", at, at + length);
    at += length;
    int32(); // calls
    const values = int32();
    if (values < 1 || at + values * 4 > data.length) fail();
    at += values * 4;
    widths.set(name, values);
  }
  return widths;
}

const ggufUint32 = 4;
const ggmlF32 = 0;

/**
 * What the worker's reader (native/src/imatrixFile.cpp) needs of a GGUF matrix, checked here so a
 * damaged file is refused before a job starts: its chunk keys are uint32 (llama.cpp aborts the
 * process reading another type), and every "<name>.in_sum2" has its "<name>.counts", both F32.
 */
function checkImatrixGguf(file: string, layout: GgufLayout): void {
  const fail = (problem: string): never => {
    throw new CodedError("IMATRIX_INVALID", `${file}: damaged importance matrix: ${problem}`, { file });
  };
  for (const kv of layout.kvs)
    if ((kv.key === "imatrix.chunk_count" || kv.key === "imatrix.chunk_size") && kv.type !== ggufUint32)
      fail(`${kv.key} is not a uint32`);
  const types = new Map(layout.tensors.map((t) => [t.name, t.type]));
  for (const [name, type] of types) {
    const suffix = [".in_sum2", ".counts"].find((s) => name.endsWith(s));
    if (suffix === undefined) continue;
    const stem = name.slice(0, -suffix.length);
    const other = suffix === ".in_sum2" ? `${stem}.counts` : `${stem}.in_sum2`;
    if (!types.has(other)) fail(`${name} has no ${other}`);
    if (type !== ggmlF32) fail(`${name} is not F32`);
  }
}

/**
 * Refuses an importance matrix that was not made for this model: none of its tensors are the
 * model's, or a tensor's width differs (a matrix of another size of the same family).
 */
export async function checkImatrixMatchesModel(
  file: string,
  model: Pick<ModelRecord, "path" | "metadata">,
): Promise<void> {
  const widths = await readImatrixWidths(file);
  const tensors = new Map(model.metadata.tensors.map((t) => [t.name, t]));
  let matched = 0;
  for (const [name, width] of widths) {
    const tensor = tensors.get(name);
    if (!tensor) continue;
    matched++;
    // Sums cover one row (n_embd or n_ff), one row per expert for a mixture of experts.
    const row = tensor.shape[0]!;
    const experts = tensor.shape.length > 2 ? tensor.shape[2]! : 1;
    if (width !== row * experts)
      throw new CodedError(
        "IMATRIX_MODEL_MISMATCH",
        `${file}: the importance matrix was made for another model: its entry for ${name} holds ${width} sums, ` +
          `the tensor in ${model.path} needs ${experts > 1 ? `${row} × ${experts} experts` : `${row} columns`}`,
        { remedies: ["provide-imatrix"], file },
      );
  }
  if (widths.size > 0 && matched === 0)
    throw new CodedError(
      "IMATRIX_MODEL_MISMATCH",
      `${file}: the importance matrix was made for another model: none of its ${widths.size} tensors ` +
        `(e.g. ${[...widths.keys()][0]}) is in ${model.path}`,
      { remedies: ["provide-imatrix"], file },
    );
}
