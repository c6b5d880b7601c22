// bench-on-device.sh: llama-bench on the phone (in Termux, or through adb shell) with the bundle's
// settings, writing llama-bench's JSON output (-o json), the format the device results import reads.
import type { RuntimeSettings } from "../../../shared/domain/exportManifest.js";
import type { BundleLayout } from "./bundleLayout.js";
import { shellQuote } from "./bundleLayout.js";

export const deviceBenchScriptName = "bench-on-device.sh";

/** What llama-bench measures: prompt lengths, generated tokens, repetitions (as llama-bench spells them). */
export interface DeviceBenchWorkload {
  prompt: string;
  generate: string;
  repetitions: string;
}

/** The desktop bench's defaults; the script lets each be overridden from the environment. */
export const defaultDeviceBenchWorkload: DeviceBenchWorkload = {
  prompt: "128,512",
  generate: "128",
  repetitions: "5",
};

/** The model and the bundle's settings. */
function settingsArgs(layout: BundleLayout, settings: RuntimeSettings): string[] {
  return [
    "-m",
    layout.entry,
    "-t",
    String(settings.threads),
    "-ngl",
    String(settings.gpuLayers),
    // llama-bench reads 0/1 in older releases too (auto is newer): auto is left to the default.
    ...(settings.flashAttention === "auto" ? [] : ["-fa", settings.flashAttention === "on" ? "1" : "0"]),
    "-ctk",
    settings.kvCacheType,
    "-ctv",
    settings.kvCacheType,
    "-b",
    String(settings.batchSize),
  ];
}

/** llama-bench's arguments for the bundle, JSON output last. */
export function deviceBenchArgs(
  layout: BundleLayout,
  settings: RuntimeSettings,
  workload: DeviceBenchWorkload = defaultDeviceBenchWorkload,
): string[] {
  return [
    ...settingsArgs(layout, settings),
    "-p",
    workload.prompt,
    "-n",
    workload.generate,
    "-r",
    workload.repetitions,
    "-o",
    "json",
  ];
}

/**
 * The sed program that adds `"model_sha256": "<sha256>"` to every result object (on the line of its
 * model_filename, so one-line substitution suffices: toybox and busybox sed do it), which the device
 * results import matches by hash.
 */
export function sha256TagProgram(sha256: string): string {
  return `s/"model_filename": /"model_sha256": "${sha256}", "model_filename": /`;
}

export function deviceBenchScript(
  layout: BundleLayout,
  settings: RuntimeSettings,
  modelName: string,
  modelSha256: string,
): string {
  const w = defaultDeviceBenchWorkload;
  return [
    "#!/bin/sh",
    `# Measures ${modelName} on this device with llama-bench and writes its JSON results.`,
    "#",
    "# In Termux on the phone:   pkg install llama-cpp   then   sh bench-on-device.sh",
    "# Over adb from a computer: adb push <bundle folder> /data/local/tmp/bundle",
    "#                           adb push <llama-bench built for Android> /data/local/tmp/llama-bench",
    "#                           adb shell LLAMA_BENCH=/data/local/tmp/llama-bench sh /data/local/tmp/bundle/bench-on-device.sh",
    "#                           adb pull /data/local/tmp/bundle/<results file>",
    "# The results file (llama-bench -o json, each result tagged with the model's model_sha256) is what",
    "# Compression Workbench imports as device results; the tag makes it match this exact model.",
    "# Usage: sh bench-on-device.sh [results.json]",
    `# Shorter runs (a hot phone throttles): CWB_BENCH_PROMPT=128 CWB_BENCH_GENERATE=32 CWB_BENCH_REPETITIONS=2`,
    "set -eu",
    'cd "$(dirname "$0")"',
    'BENCH="${LLAMA_BENCH:-llama-bench}"',
    `PROMPT="\${CWB_BENCH_PROMPT:-${w.prompt}}"`,
    `GENERATE="\${CWB_BENCH_GENERATE:-${w.generate}}"`,
    `REPETITIONS="\${CWB_BENCH_REPETITIONS:-${w.repetitions}}"`,
    `OUT="\${1:-bench-${modelName}-$(date +%Y%m%d-%H%M%S).json}"`,
    `"$BENCH" ${settingsArgs(layout, settings).map(shellQuote).join(" ")} -p "$PROMPT" -n "$GENERATE" -r "$REPETITIONS" -o json > "$OUT.partial"`,
    `sed ${shellQuote(sha256TagProgram(modelSha256))} "$OUT.partial" > "$OUT.tagged"`,
    'rm "$OUT.partial"',
    'mv "$OUT.tagged" "$OUT"',
    'echo "wrote $OUT"',
    "",
  ].join("\n");
}
