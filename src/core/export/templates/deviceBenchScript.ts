// bench-on-device.sh: llama-bench on the phone (in Termux, or through adb shell) with the bundle's
// settings, writing llama-bench's JSON output (-o json), the format the device results import reads.
import type { RuntimeSettings } from "../../../shared/domain/exportManifest.js";
import type { BundleLayout } from "./bundleLayout.js";
import { shellQuote } from "./bundleLayout.js";

export const deviceBenchScriptName = "bench-on-device.sh";

/** llama-bench's arguments for the bundle (prompt lengths and generation length as the desktop bench's defaults). */
export function deviceBenchArgs(layout: BundleLayout, settings: RuntimeSettings): string[] {
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
    "-p",
    "128,512",
    "-n",
    "128",
    "-r",
    "5",
    "-o",
    "json",
  ];
}

export function deviceBenchScript(
  layout: BundleLayout,
  settings: RuntimeSettings,
  modelName: string,
): string {
  return [
    "#!/bin/sh",
    `# Measures ${modelName} on this device with llama-bench and writes its JSON results.`,
    "#",
    "# In Termux on the phone:   pkg install llama-cpp   then   sh bench-on-device.sh",
    "# Over adb from a computer: adb push <bundle folder> /data/local/tmp/bundle",
    "#                           adb push <llama-bench built for Android> /data/local/tmp/llama-bench",
    "#                           adb shell LLAMA_BENCH=/data/local/tmp/llama-bench sh /data/local/tmp/bundle/bench-on-device.sh",
    "#                           adb pull /data/local/tmp/bundle/<results file>",
    "# The results file (llama-bench -o json) is what Compression Workbench imports as device results.",
    "# Usage: sh bench-on-device.sh [results.json]",
    "set -eu",
    'cd "$(dirname "$0")"',
    'BENCH="${LLAMA_BENCH:-llama-bench}"',
    `OUT="\${1:-bench-${modelName}-$(date +%Y%m%d-%H%M%S).json}"`,
    `"$BENCH" ${deviceBenchArgs(layout, settings).map(shellQuote).join(" ")} > "$OUT.partial"`,
    'mv "$OUT.partial" "$OUT"',
    'echo "wrote $OUT"',
    "",
  ].join("\n");
}
