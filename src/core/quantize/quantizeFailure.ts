// Why llama_model_quantize failed, as a coded error. The addon throws "PATH: quantization failed:
// REASON" with llama.cpp's last error line as the reason. When llama.cpp refuses to requantize, its
// line arrives glued to the unfinished tensor line it interrupted and the addon reports no reason;
// the tensor it stopped at, read from the file's header, then tells: a quantized tensor is refused
// unless requantizing is allowed (llama-quant.cpp: ggml_is_quantized && !allow_requantize).
import { stat } from "node:fs/promises";
import { CodedError } from "../errors.js";
import { ggmlTypeName, ggmlTypeTraits } from "../library/ggmlTypes.js";
import { readGgufLayout } from "../library/ggufLayout.js";

/** The addon's placeholder when llama.cpp logged no error line of its own. */
const noReason = "llama_model_quantize failed";

export interface QuantizeFailureContext {
  modelPath: string;
  /** A quantized tensor the failed run stopped at (see quantizedTensorAt), when requantizing was not allowed. */
  refusedTensor?: { name: string; type: string } | null;
}

/**
 * The tensor named `name` of the model (null: the first, where llama.cpp starts), when its type is
 * a quantized one (blocks of weights).
 */
export async function quantizedTensorAt(
  modelPath: string,
  name: string | null,
): Promise<{ name: string; type: string } | null> {
  try {
    const layout = await readGgufLayout(modelPath, (await stat(modelPath)).size);
    const tensor = name === null ? layout.tensors[0] : layout.tensors.find((t) => t.name === name);
    if (!tensor || (ggmlTypeTraits(tensor.type)?.blockSize ?? 1) <= 1) return null;
    return { name: tensor.name, type: ggmlTypeName(tensor.type) };
  } catch {
    return null;
  }
}

/** The addon's error as a coded one (llama.cpp's reason kept); other errors are returned as they are. */
export function quantizeFailure(error: unknown, context: QuantizeFailureContext): unknown {
  if (!(error instanceof Error)) return error;
  const stated = /: quantization failed: ([\s\S]*)$/.exec(error.message)?.[1]?.trim();
  if (stated === undefined) return error;
  const llamaReason = stated === "" || stated === noReason ? null : stated;
  const { modelPath } = context;
  const requantize = llamaReason ? /requantizing from type (\S+) is disabled/.exec(llamaReason) : null;
  const refused = requantize
    ? { type: requantize[1]!.toUpperCase() }
    : llamaReason
      ? null
      : context.refusedTensor;
  if (refused)
    return new CodedError(
      "REQUANTIZE_DISABLED",
      `${modelPath}: the model is already quantized (${"name" in refused ? `its tensor ${refused.name} is ${refused.type}` : `it has ${refused.type} tensors`}); ` +
        "quantizing it again compounds the loss, so llama.cpp refuses unless requantizing is allowed",
      { llamaReason, remedies: ["allow-requantize"], file: modelPath, cause: error },
    );
  return new CodedError("QUANTIZE_FAILED", `${modelPath}: quantization failed`, {
    llamaReason,
    file: modelPath,
    cause: error,
  });
}
