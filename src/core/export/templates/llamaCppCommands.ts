// llama-server and llama-cli command lines with the bundle's runtime settings, as llama.cpp's
// common argument parser (common/arg.cpp) spells them.
import type { RuntimeSettings } from "../../../shared/domain/exportManifest.js";
import type { BundleLayout } from "./bundleLayout.js";
import { shellQuote } from "./bundleLayout.js";

/** The flags both tools share, for `settings`. */
export function llamaRuntimeArgs(settings: RuntimeSettings): string[] {
  return [
    "-c",
    String(settings.contextLength),
    "-t",
    String(settings.threads),
    "-ngl",
    String(settings.gpuLayers),
    "-fa",
    settings.flashAttention,
    "-ctk",
    settings.kvCacheType,
    "-ctv",
    settings.kvCacheType,
    "-b",
    String(settings.batchSize),
  ];
}

export function llamaServerArgs(layout: BundleLayout, settings: RuntimeSettings): string[] {
  return [
    "-m",
    layout.entry,
    ...llamaRuntimeArgs(settings),
    "--jinja",
    "--host",
    "127.0.0.1",
    "--port",
    "8080",
  ];
}

export function llamaCliArgs(layout: BundleLayout, settings: RuntimeSettings): string[] {
  return ["-m", layout.entry, ...llamaRuntimeArgs(settings), "--jinja"];
}

/** A script that runs `tool` from the bundle's root with `args` (extra arguments are passed on). */
export function llamaToolScript(
  tool: "llama-server" | "llama-cli",
  args: readonly string[],
  modelName: string,
): string {
  return [
    "#!/bin/sh",
    `# Runs ${modelName} with ${tool} (llama.cpp) and the settings recorded in manifest.json.`,
    `# Needs ${tool} on PATH (or LLAMA_CPP_BIN set to the folder holding it). Extra arguments are passed on.`,
    "set -eu",
    'cd "$(dirname "$0")/../.."',
    `exec "\${LLAMA_CPP_BIN:+$LLAMA_CPP_BIN/}${tool}" ${args.map(shellQuote).join(" ")} "$@"`,
    "",
  ].join("\n");
}
