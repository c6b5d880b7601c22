// How the CLI words a coded error (shared/domain/errors.ts): the message as core wrote it, llama.cpp's
// reason, and each remedy as the flag or command that applies it. The screens word the same remedies
// as their controls (renderer/errorWords.ts).
import { appErrorOf, type AppError, type RemedyAction } from "../../shared/domain/errors.js";
import { softwareGpuRemedyFlag } from "./gpuOptions.js";

const remedyFlags: Record<RemedyAction, string> = {
  "allow-requantize": "pass --allow-requantize",
  "start-from-unquantized": "quantize the F16/F32 model it was made from instead",
  "allow-software-gpu": softwareGpuRemedyFlag,
  "choose-cpu": "pass --gpu cpu",
  "choose-auto-gpu": "pass --gpu auto",
  "rebuild-native": 'run "npm run build:native"',
  "build-llama-for-machine": 'run "cwb llama build"',
  "choose-prebuilt-build": "pass --llama-build prebuilt",
  "provide-imatrix":
    'pass --imatrix FILE (made by "cwb imatrix MODEL --text FILE"; a sweep also takes --imatrix auto with --calib-text FILE)',
  "provide-calibration-text": "pass --calib-text FILE",
  "list-quant-types": 'see "cwb quantize --list-types" for the types',
  "choose-blocks-to-drop": "pass --layers i,j,... or --drop N (with --text FILE to measure block importance)",
  "raise-context": "raise --ctx",
  "free-disk-space": "free some disk space there, or write elsewhere with --out or --data-dir",
  "choose-other-output": "pass another --out path, or remove the existing file",
  "update-app": "update Compression Workbench",
  "use-other-data-dir": "pass another --data-dir",
  retry: 'run the job again ("cwb jobs retry JOB")',
  "rerun-experiment": 'run the experiment again ("cwb experiments rerun EXPERIMENT")',
  "copy-built-in-device": 'copy it first ("cwb devices add --from ID --id NEW_ID") and edit the copy',
  "list-devices": 'see "cwb devices list" for the device ids',
};

/** One remedy in the CLI's words: the flag or command that applies it. */
export function remedyAsFlag(action: RemedyAction): string {
  return remedyFlags[action];
}

/**
 * The lines after the message: llama.cpp's reason and the remedies ("to fix: pass --x, or pass
 * --y"). Empty when the error has neither.
 */
export function errorDetailLines(error: Pick<AppError, "llamaReason" | "remedies">): string[] {
  const lines: string[] = [];
  if (error.llamaReason) lines.push(`llama.cpp: ${error.llamaReason}`);
  if (error.remedies.length > 0) lines.push(`to fix: ${error.remedies.map(remedyAsFlag).join(", or ")}`);
  return lines;
}

/** A thrown error for stderr: its message, then (for a coded error) the reason and remedy lines. */
export function describeErrorForCli(error: unknown): string {
  const coded = appErrorOf(error);
  const message = error instanceof Error ? error.message : String(error);
  return coded ? [message, ...errorDetailLines(coded).map((line) => `  ${line}`)].join("\n") : message;
}
