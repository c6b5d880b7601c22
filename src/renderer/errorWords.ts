// How the screens word a coded error (shared/domain/errors.ts): the message as core wrote it,
// llama.cpp's reason, and each remedy as the control that applies it. The CLI words the same
// remedies as its flags (headless/cli/errorWords.ts); no flag text is shown here.
import { appErrorOf, type AppError, type RemedyAction } from "../shared/domain/errors.js";
import { softwareGpuRemedyInSettings } from "../shared/domain/runDevice.js";
import type { Job } from "../shared/domain/job.js";

const remedyControls: Record<RemedyAction, string> = {
  "allow-requantize": "Tick “Allow requantizing” under Quantization types on the Compress screen",
  "start-from-unquantized": "Choose the F16/F32 model this one was made from as the model to compress",
  "allow-software-gpu": capitalize(softwareGpuRemedyInSettings),
  "choose-cpu": "Choose CPU as the GPU in the Compress screen’s Device settings",
  "choose-auto-gpu": "Choose Automatic as the GPU in the Compress screen’s Device settings",
  "rebuild-native": "Reinstall Compression Workbench: its llama.cpp libraries are missing or do not match",
  "build-llama-for-machine": "Build llama.cpp for this machine in the Compress screen’s Device settings",
  "choose-prebuilt-build":
    "Choose Prebuilt as the llama.cpp binaries in the Compress screen’s Device settings",
  "provide-imatrix":
    "Choose an importance matrix (computed from a calibration text, or a file) in the Compress screen’s Importance matrix settings",
  "provide-calibration-text":
    "Choose a calibration text file in the Compress screen’s Importance matrix settings",
  "list-quant-types": "Pick one of the types offered under Quantization types",
  "choose-blocks-to-drop": "Choose the blocks to drop under Layer pruning",
  "raise-context": "Use a larger context size",
  "free-disk-space": "Free some disk space on that drive, then retry the job on the Jobs screen",
  "choose-other-output": "Remove or rename the existing file, then retry the job on the Jobs screen",
  "update-app": "Update Compression Workbench",
  "use-other-data-dir": "Open the app with another data folder",
  retry: "Retry the job on the Jobs screen",
  "rerun-experiment": "Click Re-run on the experiment in History",
  "copy-built-in-device": "Use “Copy” on the built-in profile in the Devices screen and edit the copy",
  "list-devices": "Pick one of the profiles listed in the Devices screen",
};

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** One remedy in the screens' words: the control that applies it. */
export function remedyAsControl(action: RemedyAction): string {
  return remedyControls[action];
}

/** What a screen shows of an error: the message, llama.cpp's reason, the remedies as controls. */
export interface ErrorWords {
  message: string;
  llamaReason: string | null;
  remedies: string[];
}

export function errorWords(error: Pick<AppError, "message" | "llamaReason" | "remedies">): ErrorWords {
  return {
    message: error.message,
    llamaReason: error.llamaReason,
    remedies: error.remedies.map(remedyAsControl),
  };
}

/** A finished job's failure (or cancel reason) in words; null when it succeeded or is not done. */
export function jobErrorWords(job: Job): ErrorWords | null {
  if (job.errorDetail) return errorWords(job.errorDetail);
  return job.error ? { message: job.error, llamaReason: null, remedies: [] } : null;
}

/** A rejected call (or any thrown value) in words; a coded error's data comes along (CallError). */
export function thrownErrorWords(error: unknown): ErrorWords {
  const coded = appErrorOf(error);
  if (coded) return errorWords(coded);
  return { message: error instanceof Error ? error.message : String(error), llamaReason: null, remedies: [] };
}

/** The words as one line of text, for places that show a string (a notice, a title attribute). */
export function errorText(words: ErrorWords): string {
  return [
    words.message,
    ...(words.llamaReason ? [`llama.cpp: ${words.llamaReason}`] : []),
    ...(words.remedies.length > 0 ? [`To fix: ${words.remedies.join("; or ")}.`] : []),
  ].join(" — ");
}
