// Ollama's Modelfile for the bundle's model and the `ollama create` script. Ollama's TEMPLATE is a
// Go template, not the GGUF's Jinja chat template: a ChatML template (the most common) is written
// out; for any other, Ollama's own detection from the GGUF's tokenizer.chat_template applies at
// `ollama create`, which the file says.
import type { RuntimeSettings } from "../../../shared/domain/exportManifest.js";
import type { BundleLayout } from "./bundleLayout.js";

/** Where the Ollama files go, relative to the bundle's root. */
export const ollamaDir = "runtimes/ollama";

const chatMlTemplate = [
  "{{- if .System }}<|im_start|>system",
  "{{ .System }}<|im_end|>",
  "{{ end }}",
  "{{- range .Messages }}<|im_start|>{{ .Role }}",
  "{{ .Content }}<|im_end|>",
  "{{ end }}<|im_start|>assistant",
  "",
].join("\n");

/** An Ollama model name: lowercase letters, digits, '.', '_' and '-'. */
export function ollamaModelName(baseName: string): string {
  return baseName.toLowerCase().replace(/[^a-z0-9._-]+/g, "-");
}

export function ollamaModelfile(
  layout: BundleLayout,
  settings: RuntimeSettings,
  chatTemplate: string | null,
  modelName: string,
): string {
  const from = layout.mergedFile === null ? `../../${layout.entry}` : `./${layout.mergedFile}`;
  const lines = [
    `# Ollama Modelfile for ${modelName}, written by Compression Workbench.`,
    "# Settings as recorded in manifest.json (runtime). Create the model with ./create.sh.",
  ];
  if (layout.mergedFile !== null)
    lines.push("# Ollama reads a single GGUF file: create.sh merges the shards into it first.");
  lines.push(
    `FROM ${from}`,
    `PARAMETER num_ctx ${settings.contextLength}`,
    `PARAMETER num_thread ${settings.threads}`,
    `PARAMETER num_gpu ${settings.gpuLayers}`,
    `PARAMETER num_batch ${settings.batchSize}`,
  );
  if (chatTemplate?.includes("<|im_start|>")) {
    lines.push(`TEMPLATE """${chatMlTemplate}"""`, 'PARAMETER stop "<|im_end|>"');
  } else if (chatTemplate !== null) {
    lines.push(
      "# The chat template is the GGUF's own (tokenizer.chat_template); Ollama derives its template from it.",
    );
  } else {
    lines.push("# The model has no chat template: use it for plain completion.");
  }
  return lines.join("\n") + "\n";
}

export function ollamaCreateScript(
  layout: BundleLayout,
  settings: RuntimeSettings,
  baseName: string,
): string {
  const lines = [
    "#!/bin/sh",
    `# Creates the Ollama model "${ollamaModelName(baseName)}" from this bundle.`,
    "# Flash attention and the KV cache type are settings of the Ollama server, not of the model:",
    `#   OLLAMA_FLASH_ATTENTION=${settings.flashAttention === "on" ? 1 : 0} OLLAMA_KV_CACHE_TYPE=${settings.kvCacheType} ollama serve`,
    "set -eu",
    'cd "$(dirname "$0")"',
  ];
  if (layout.mergedFile !== null) {
    lines.push(
      `if [ ! -f ${layout.mergedFile} ]; then`,
      `  "\${LLAMA_CPP_BIN:+$LLAMA_CPP_BIN/}llama-gguf-split" --merge ../../${layout.entry} ${layout.mergedFile}`,
      "fi",
    );
  }
  lines.push(`ollama create ${ollamaModelName(baseName)} -f Modelfile`, "");
  return lines.join("\n");
}
