// README.md of a bundle, for the app developer who ships the model: what the files are, how to load
// the model with llama.cpp on Android and iOS, and the recommended settings.
import type { ExportManifest } from "../../../shared/domain/exportManifest.js";
import type { RuntimeFileSet } from "../../../shared/domain/exportBundle.js";
import type { ExportDevice } from "../../../shared/domain/exportDevice.js";
import { formatBytes, formatTokensPerSecond } from "../../../shared/format.js";
import { describeSplitLimit, type BundleLayout } from "./bundleLayout.js";
import { deviceBenchScriptName } from "./deviceBenchScript.js";
import { ollamaDir } from "./ollamaModelfile.js";

/** The device the bundle is for and what is predicted there (predicted, never measured: the bench script measures). */
function deviceLines(device: ExportDevice | null): string[] {
  if (!device) return [];
  const { variant, contextSize } = device.prediction;
  const { lowTokensPerSecond, highTokensPerSecond } = variant.generation;
  return [
    "",
    `Prepared for ${device.profile.name} (device profile \`${device.profile.id}\`). Predicted, not measured: ${variant.fit === "no" ? "does not fit" : variant.fit === "tight" ? "fits tightly" : "fits"} in the ${formatBytes(variant.usableBytes)} one app may use at ${contextSize} tokens of context (margin ${formatBytes(variant.marginBytes)}); generation ${formatTokensPerSecond(lowTokensPerSecond)} to ${formatTokensPerSecond(highTokensPerSecond)}. \`${deviceBenchScriptName}\` measures it.`,
  ];
}

export function bundleReadme(
  manifest: Omit<ExportManifest, "files" | "createdAt">,
  layout: BundleLayout,
  publisher: string,
  ollamaName: string,
  runtimeFiles: readonly RuntimeFileSet[],
): string {
  const ollama = runtimeFiles.includes("ollama");
  const llamaCpp = runtimeFiles.includes("llama.cpp");
  const { model, runtime } = manifest;
  const name = model.name;
  const split = manifest.split;
  const files = [
    `- \`${layout.modelDir}/\`: the model${split ? `, split into ${split.count} shards in llama.cpp's split format (${describeSplitLimit(split.limit)}); llama.cpp is given the first shard, \`${layout.entry}\`, and opens the others itself` : `, \`${layout.entry}\``} (${formatBytes(model.bytes)}, ${model.fileType ?? "unknown file type"}).`,
    "- `manifest.json`: identity, lineage, files with sizes and sha256, runtime settings, measurements; its JSON Schema is `export-manifest.v1.json` in Compression Workbench's docs/schemas.",
    `- \`${deviceBenchScriptName}\`: measures the model on the device with llama-bench and writes llama-bench's JSON results.`,
    ...(ollama ? [`- \`${ollamaDir}/\`: an Ollama Modelfile and \`create.sh\` (\`ollama create\`).`] : []),
    ...(llamaCpp
      ? ["- `runtimes/llama.cpp/`: `llama-server.sh` and `llama-cli.sh` with the settings below."]
      : []),
  ];
  const settings = [
    "| setting | value | llama.cpp |",
    "| --- | --- | --- |",
    `| context length | ${runtime.contextLength} | \`n_ctx\`, \`-c\` |`,
    `| threads | ${runtime.threads} | \`n_threads\`, \`-t\` |`,
    `| GPU layers | ${runtime.gpuLayers} | \`n_gpu_layers\`, \`-ngl\` |`,
    `| flash attention | ${runtime.flashAttention} | \`flash_attn_type\`, \`-fa\` |`,
    `| KV cache type | ${runtime.kvCacheType} | \`type_k\`/\`type_v\`, \`-ctk\`/\`-ctv\` |`,
    `| batch size | ${runtime.batchSize} | \`n_batch\`, \`-b\` |`,
  ];
  return [
    `# ${name}`,
    "",
    `${model.architecture} model, ${model.parameterCount.toLocaleString("en-US")} parameters, ${model.layers} layers, exported by Compression Workbench.`,
    ...deviceLines(manifest.device),
    "",
    "## Files",
    "",
    ...files,
    "",
    "Check a copy with `cwb export verify <bundle>`, or compare `sha256sum` of each file with manifest.json.",
    "",
    "## Recommended settings",
    "",
    `Basis: ${runtime.basis}.`,
    "",
    ...settings,
    "",
    manifest.chatTemplate
      ? "The chat template is the model's own (GGUF key `tokenizer.chat_template`, also in manifest.json): llama.cpp applies it with `llama_chat_apply_template`, or with `--jinja` in its tools."
      : "The model has no chat template: use it for plain text completion.",
    "",
    "## Android",
    "",
    "Build llama.cpp for Android (CMake with the NDK toolchain, `-DANDROID_ABI=arm64-v8a`, or the `examples/llama.android` project) and link `libllama` into the app through JNI.",
    `Copy \`${layout.modelDir}/\` to app storage (models do not belong in the APK: download them at first start), then call \`llama_model_load_from_file()\` on \`${layout.entry}\` with \`n_gpu_layers = ${runtime.gpuLayers}\` and create the context with \`n_ctx = ${runtime.contextLength}\`, \`n_threads = ${runtime.threads}\`, \`n_batch = ${runtime.batchSize}\`.`,
    `To measure on a phone: Termux (\`pkg install llama-cpp\`) or adb, as \`${deviceBenchScriptName}\` explains at its top.`,
    "",
    "## iOS",
    "",
    "Use llama.cpp's XCFramework (`build-xcframework.sh`) or its Swift package, as `examples/llama.swiftui` does.",
    `Add the files in \`${layout.modelDir}/\` to the app's documents (or download them), load \`${layout.entry}\` with \`llama_model_load_from_file()\` and the settings above; Metal runs the offloaded layers.`,
    "",
    "## Desktop runtimes",
    "",
    `- LM Studio: copy \`models/${publisher}/\` into LM Studio's models folder (\`~/.lmstudio/models/\`); it lists models as \`<publisher>/<model>/<file>.gguf\`.`,
    ...(ollama ? [`- Ollama: \`sh ${ollamaDir}/create.sh\`, then \`ollama run ${ollamaName}\`.`] : []),
    ...(llamaCpp
      ? [
          "- llama.cpp: `sh runtimes/llama.cpp/llama-server.sh` (an OpenAI-compatible server on 127.0.0.1:8080) or `sh runtimes/llama.cpp/llama-cli.sh` (chat in the terminal).",
        ]
      : []),
    "",
  ]
    .filter((line, i, all) => !(line === "" && all[i - 1] === ""))
    .join("\n");
}
