// Writes an export bundle into a staging folder: the model (copied, or split into shards), then the
// generated texts, then manifest.json listing every other file with its size and sha256. Streams
// the model in chunks, hashing as it writes; reports bytes written; stops when aborted. The caller
// renames the folder into place (a bundle appears complete or not at all).
import { createHash } from "node:crypto";
import { chmod, mkdir, open, writeFile } from "node:fs/promises";
import path from "node:path";
import type { ExportBundleParams, RuntimeFileSet } from "../../shared/domain/exportBundle.js";
import {
  exportManifest,
  exportManifestSchemaVersion,
  type BundleFile,
  type ExportManifest,
} from "../../shared/domain/exportManifest.js";
import { CodedError } from "../errors.js";
import { planFileSplit, writeShards, type CopyOptions, type ShardPlan } from "./splitGguf.js";
import { bundleLayout, type BundleLayout } from "./templates/bundleLayout.js";
import { bundleReadme } from "./templates/bundleReadme.js";
import { deviceBenchScript, deviceBenchScriptName } from "./templates/deviceBenchScript.js";
import { llamaCliArgs, llamaServerArgs, llamaToolScript } from "./templates/llamaCppCommands.js";
import {
  ollamaCreateScript,
  ollamaDir,
  ollamaModelName,
  ollamaModelfile,
} from "./templates/ollamaModelfile.js";

export const manifestFileName = "manifest.json";

export interface BundleProgress {
  bytesDone: number;
  bytesTotal: number;
  step: string;
}

export interface WrittenBundle {
  files: BundleFile[];
  entry: string;
  /** Everything written, manifest included. */
  bytes: number;
}

interface TextFile {
  path: string;
  role: BundleFile["role"];
  /** The runtime whose files it belongs to; left out when that runtime is not asked for. */
  runtime?: RuntimeFileSet;
  content: string;
  executable?: boolean;
}

function sha256(content: string | Buffer): string {
  return createHash("sha256").update(content).digest("hex");
}

/** The bundle's texts besides the manifest, all derived from the manifest's settings. */
function bundleTexts(
  manifest: Omit<ExportManifest, "files" | "createdAt">,
  layout: BundleLayout,
  params: ExportBundleParams,
): TextFile[] {
  const { runtime, model } = manifest;
  const texts: TextFile[] = [
    {
      path: "README.md",
      role: "readme",
      content: bundleReadme(
        manifest,
        layout,
        params.publisher,
        ollamaModelName(params.baseName),
        params.runtimeFiles,
      ),
    },
    {
      path: deviceBenchScriptName,
      role: "bench-script",
      content: deviceBenchScript(layout, runtime, params.baseName, model.sha256),
      executable: true,
    },
    {
      path: `${ollamaDir}/Modelfile`,
      role: "runtime",
      runtime: "ollama",
      content: ollamaModelfile(layout, runtime, manifest.chatTemplate, model.name),
    },
    {
      path: `${ollamaDir}/create.sh`,
      role: "runtime",
      runtime: "ollama",
      content: ollamaCreateScript(layout, runtime, params.baseName),
      executable: true,
    },
    {
      path: "runtimes/llama.cpp/llama-server.sh",
      role: "runtime",
      runtime: "llama.cpp",
      content: llamaToolScript("llama-server", llamaServerArgs(layout, runtime), model.name),
      executable: true,
    },
    {
      path: "runtimes/llama.cpp/llama-cli.sh",
      role: "runtime",
      runtime: "llama.cpp",
      content: llamaToolScript("llama-cli", llamaCliArgs(layout, runtime), model.name),
      executable: true,
    },
  ];
  return texts.filter((text) => text.runtime === undefined || params.runtimeFiles.includes(text.runtime));
}

/** Copies the whole model file, hashing it: the copy must be the file the library recorded. */
async function copyModel(
  params: ExportBundleParams,
  target: string,
  options: CopyOptions,
): Promise<{ bytes: number; sha256: string }> {
  const hash = createHash("sha256");
  const source = await open(params.modelPath, "r");
  const out = await open(target, "wx");
  let position = 0;
  try {
    const buffer = Buffer.alloc(options.chunkBytes ?? 4 << 20);
    for (;;) {
      options.signal?.throwIfAborted();
      const { bytesRead } = await source.read(buffer, 0, buffer.length, position);
      if (bytesRead === 0) break;
      await out.write(buffer, 0, bytesRead, position);
      hash.update(buffer.subarray(0, bytesRead));
      position += bytesRead;
      options.onBytes?.(bytesRead);
    }
  } finally {
    await out.close();
    await source.close();
  }
  const digest = hash.digest("hex");
  if (digest !== params.manifest.model.sha256 || position !== params.modelBytes) {
    throw new CodedError(
      "FAILED",
      `${params.modelPath}: the model file changed since it was imported (its sha256 or size differs from the library's record)`,
      { file: params.modelPath },
    );
  }
  return { bytes: position, sha256: digest };
}

export async function writeBundle(
  params: ExportBundleParams,
  stagingDir: string,
  options: { signal?: AbortSignal; onProgress?: (progress: BundleProgress) => void } = {},
): Promise<WrittenBundle> {
  let shards: ShardPlan[] | null = null;
  if (params.split)
    shards = await planFileSplit(params.modelPath, params.modelBytes, params.split, params.baseName);
  const layout = bundleLayout(params.publisher, params.baseName, shards ? shards.length : null);
  const bytesTotal = shards ? shards.reduce((sum, s) => sum + s.bytes, 0) : params.modelBytes;
  let bytesDone = 0;
  let step = "";
  const copy: CopyOptions = {
    signal: options.signal,
    onBytes: (n) => {
      bytesDone += n;
      options.onProgress?.({ bytesDone, bytesTotal, step });
    },
  };

  await mkdir(stagingDir);
  await mkdir(path.join(stagingDir, layout.modelDir), { recursive: true });
  const files: BundleFile[] = [];
  if (shards) {
    const count = shards.length;
    const written = await writeShards(params.modelPath, shards, path.join(stagingDir, layout.modelDir), {
      ...copy,
      onShard: (i) => (step = `writing shard ${i + 1} of ${count}`),
    });
    written.forEach((shard, i) =>
      files.push({ path: layout.modelFiles[i]!, bytes: shard.bytes, sha256: shard.sha256, role: "model" }),
    );
  } else {
    step = "copying the model";
    const copied = await copyModel(params, path.join(stagingDir, layout.entry), copy);
    files.push({ path: layout.entry, ...copied, role: "model" });
  }

  options.signal?.throwIfAborted();
  const draft = {
    schemaVersion: exportManifestSchemaVersion,
    entry: layout.entry,
    split: shards && params.split ? { count: shards.length, limit: params.split } : null,
    ...params.manifest,
  } as const;
  for (const text of bundleTexts(draft, layout, params)) {
    const target = path.join(stagingDir, text.path);
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, text.content, { flag: "wx" });
    if (text.executable) await chmod(target, 0o755);
    files.push({
      path: text.path,
      bytes: Buffer.byteLength(text.content),
      sha256: sha256(text.content),
      role: text.role,
    });
  }
  const manifest = exportManifest.parse({ ...draft, createdAt: new Date().toISOString(), files });
  const manifestText = JSON.stringify(manifest, null, 2) + "\n";
  await writeFile(path.join(stagingDir, manifestFileName), manifestText, { flag: "wx" });
  const bytes = files.reduce((sum, f) => sum + f.bytes, 0) + Buffer.byteLength(manifestText);
  options.onProgress?.({ bytesDone: bytesTotal, bytesTotal, step: "done" });
  return { files, entry: layout.entry, bytes };
}
