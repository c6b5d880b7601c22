// Errors as data. Core raises a coded error (core/errors.ts): a code, a message in the domain's
// words, llama.cpp's own reason when it gave one, and the remedies as actions. Each surface words
// an action its own way: the CLI as its flag or command (headless/cli/errorWords.ts), the screens
// as their control (renderer/errorWords.ts). No message here or in core names a CLI flag.
import { z } from "zod";

export const appErrorCodes = [
  /** The chosen GPU backend has no usable device here (e.g. only a software Vulkan renderer). */
  "GPU_UNAVAILABLE",
  /** No llama.cpp build for the chosen backend loads on this machine. */
  "GPU_BUILD_UNAVAILABLE",
  /** The native addon (or the build node-llama-cpp chose) is missing or does not match. */
  "NATIVE_NOT_BUILT",
  /** The llama.cpp build for this machine was asked for and there is none (or the addon is not linked to it). */
  "MACHINE_BUILD_MISSING",
  /** This installation cannot compile llama.cpp (no source install with its build scripts). */
  "MACHINE_BUILD_UNAVAILABLE",
  /** The build for this machine was combined with a GPU backend; it is compiled for the CPU. */
  "MACHINE_BUILD_CPU_ONLY",
  /** Compiling llama.cpp failed (see llamaReason: the compiler's or cmake's last error lines). */
  "LLAMA_BUILD_FAILED",
  /** The llama.cpp source files (tokenizers) the reference model needs are missing. */
  "LLAMA_SOURCE_MISSING",
  /** The model's tensors are already quantized and requantizing was not allowed. */
  "REQUANTIZE_DISABLED",
  /** llama_model_quantize failed for another reason (see llamaReason). */
  "QUANTIZE_FAILED",
  /** A quant type that cannot do without an importance matrix, and none was given. */
  "IMATRIX_REQUIRED",
  /** An importance matrix file that is neither GGUF nor the legacy .dat layout. */
  "IMATRIX_INVALID",
  /** An importance matrix made for another model (tensors it does not have, or other widths). */
  "IMATRIX_MODEL_MISMATCH",
  /** An importance matrix to compute, and no calibration text to compute it from. */
  "CALIBRATION_TEXT_REQUIRED",
  "UNKNOWN_QUANT_TYPE",
  /** A per-tensor type override that is not PATTERN=TYPE with a valid pattern and type. */
  "BAD_TENSOR_OVERRIDE",
  /** A list of blocks to prune that is not a list of block indices of the model. */
  "BAD_PRUNE_BLOCKS",
  /** Pruning asked for without saying which blocks, or how many, to drop. */
  "PRUNE_BLOCKS_MISSING",
  /** A width to keep that is not a fraction in (0, 1] or a count the model's blocks have, or a model whose widths cannot be pruned. */
  "BAD_PRUNE_WIDTH",
  /** Width pruning asked of a model with quantized weights: it needs the F32/F16/BF16 model. */
  "PRUNE_INPUT_QUANTIZED",
  /** A benchmark's longest test does not fit in its context. */
  "CONTEXT_TOO_SMALL",
  "DISK_FULL",
  "OUTPUT_EXISTS",
  /** A shard size smaller than one of the model's tensors: the model cannot be split that finely. */
  "SPLIT_LIMIT_TOO_SMALL",
  /** An export bundle whose files do not match its manifest (missing, truncated, altered) or whose manifest is invalid. */
  "BUNDLE_INVALID",
  /** The database was written by a newer build. */
  "SCHEMA_TOO_NEW",
  /** The text an evaluation was queued with changed before it ran. */
  "TEXT_CHANGED",
  /** A file given as an evaluation or calibration text is not UTF-8 text (a binary file, another encoding). */
  "TEXT_NOT_UTF8",
  /** A file given as an evaluation or calibration text is empty or larger than the workbench accepts. */
  "TEXT_SIZE_REFUSED",
  /**
   * An experiment recorded before experiments kept their plan as a job graph (no step keys): what is
   * left of it is not known, so it cannot be resumed; running it again reuses what finished.
   */
  "EXPERIMENT_NOT_RESUMABLE",
  /** No device profile (built-in or the user's) has that id. */
  "DEVICE_NOT_FOUND",
  /** A device profile with that id exists already (built-in or the user's). */
  "DEVICE_EXISTS",
  /** Built-in device profiles cannot be changed or removed; a copy can. */
  "DEVICE_BUILT_IN",
  /** A device profile that does not match the schema (the message names the field, and the file). */
  "BAD_DEVICE_PROFILE",
  /** A results file brought back from a device that cannot be read (the message names the line). */
  "BAD_RESULTS_FILE",
  /** A device name that cannot name a device. */
  "BAD_DEVICE_ID",
  /** A result row whose model is not in the library. */
  "RESULTS_UNMATCHED",
  /** A result row that fits more than one variant, and no choice was made. */
  "RESULTS_AMBIGUOUS",
  /** Distillation settings or a student recipe that cannot be used (the message says which and why). */
  "BAD_DISTILL_SETTINGS",
  /** A model whose graph ggml cannot differentiate (training it would abort llama.cpp): the message says why. */
  "NOT_TRAINABLE",
  /** Two models compared token by token (student and teacher, variant and base) whose vocabularies differ. */
  "VOCABULARY_MISMATCH",
  /** Greedy speculative decoding wrote something other than the target alone: a bug, never a result. */
  "SPECULATIVE_OUTPUT_DIFFERS",
  /** A sweep's speculative target or draft names no variant of the sweep (nor a library model). */
  "UNKNOWN_SPECULATIVE_MODEL",
  /** Anything without a code of its own: the message says what happened. */
  "FAILED",
] as const;
export const appErrorCode = z.enum(appErrorCodes);
export type AppErrorCode = z.infer<typeof appErrorCode>;

/** What the user can do about an error; each surface words it (flag, command or control). */
export const remedyActions = [
  "allow-requantize",
  "start-from-unquantized",
  "allow-software-gpu",
  "choose-cpu",
  "choose-auto-gpu",
  "rebuild-native",
  "build-llama-for-machine",
  "choose-prebuilt-build",
  "provide-imatrix",
  "provide-calibration-text",
  "list-quant-types",
  "choose-blocks-to-drop",
  "raise-context",
  "free-disk-space",
  "choose-other-output",
  "update-app",
  "use-other-data-dir",
  "retry",
  "rerun-experiment",
  "copy-built-in-device",
  "list-devices",
] as const;
export const remedyAction = z.enum(remedyActions);
export type RemedyAction = z.infer<typeof remedyAction>;

export const appError = z.object({
  code: appErrorCode,
  /** What went wrong, in the domain's words; never a CLI flag. */
  message: z.string(),
  /** llama.cpp's own words for the failure, when it gave any. */
  llamaReason: z.string().nullable().default(null),
  remedies: z.array(remedyAction).default([]),
  /** The file the error is about, when there is one. */
  file: z.string().optional(),
});
export type AppError = z.output<typeof appError>;
export type AppErrorInput = z.input<typeof appError>;

/**
 * The error data an error object carries (a core CodedError, or anything shaped like one: a code
 * from the list and a remedies array), or null. Works on errors and on plain objects.
 */
export function appErrorOf(value: unknown): AppError | null {
  if (typeof value !== "object" || value === null) return null;
  const candidate = value as Partial<Record<keyof AppError, unknown>>;
  if (!Array.isArray(candidate.remedies)) return null;
  const parsed = appError.safeParse({
    code: candidate.code,
    message: candidate.message,
    llamaReason: candidate.llamaReason ?? null,
    remedies: candidate.remedies,
    ...(typeof candidate.file === "string" ? { file: candidate.file } : {}),
  });
  return parsed.success ? parsed.data : null;
}
