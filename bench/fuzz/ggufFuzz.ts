// The GGUF fuzz run: N seeded mutations of valid tiny models, each read by the library's reader in
// this process (what import and `models show` rely on), and the first `cliCount` of them also sent
// through the real CLI: `models import`, then for accepted files `models show` and a dry-run
// quantize (llama.cpp reads the file in a worker process there); and some through one long-lived
// `cwb serve` over its WebSocket (serverFuzzPath.ts).
import { mkdirSync, readFileSync, writeFileSync, rmSync } from "node:fs";
import { stat } from "node:fs/promises";
import path from "node:path";
import { readGgufLayout } from "../../src/core/library/ggufLayout.js";
import { readModelMetadata } from "../../src/core/library/readModelMetadata.js";
import { writeTinyGguf } from "../../test/helpers/gguf.js";
import { nativeAddon } from "../../test/quantize/fixtures.js";
import { bundledLlamaCppRelease } from "../../src/core/machine/machineFingerprint.js";
import { repoRoot } from "../../test/cli/runCwb.js";
import { cliOutcome, inProcessOutcome, libraryRefusal, OutcomeTable } from "./fuzzOutcome.js";
import { seededRandom } from "../../src/core/bench/randomTokens.js";
import { ggufSections, mutateGguf, type GgufSections } from "./ggufMutator.js";
import { ServerFuzzPath } from "./serverFuzzPath.js";

export interface GgufFuzzOptions {
  count: number;
  seed: number;
  /** How many of the files (the first ones) also go through the CLI; the rest only through the reader. */
  cliCount: number;
  /** Besides those, how many of the files the reader accepts also go through the CLI (llama.cpp sees those). */
  acceptedCliCount?: number;
  /** The same two counts for one long-lived `cwb serve` driven over its WebSocket (serverFuzzPath.ts). */
  serverCount?: number;
  acceptedServerCount?: number;
  /** Scratch folder: seeds, the current mutant, the CLI's data dir, and copies of defective files. */
  workDir: string;
  onProgress?: (done: number, total: number) => void;
}

export interface GgufFuzzResult {
  table: OutcomeTable;
  /** Where each defect's file was kept. */
  kept: string[];
}

/**
 * Real model files of the other families (made by the addon's createModel as llama.cpp loads them):
 * biases, q/k norms, experts (3-D tensors), extra norms and softcaps, fused tensors, and BPE and SPM
 * vocabularies with their merges and scores. Tiny, so each mutation stays cheap.
 */
const familySeeds = [
  { architecture: "qwen2", vocabulary: "qwen2" },
  { architecture: "qwen3moe", vocabulary: "qwen2", nExpert: 4, nExpertUsed: 2 },
  { architecture: "gemma3", vocabulary: "llama-spm" },
  { architecture: "phi3", vocabulary: "phi-3" },
];

/**
 * Seeds with different layouts: F16, F32, per-layer arrays, one block, a renamed architecture, and a
 * real file of each family above.
 */
export async function fuzzSeeds(dir: string): Promise<GgufSections[]> {
  mkdirSync(dir, { recursive: true });
  const variants = [
    { seed: 1 },
    { seed: 2, weights: "F32" as const, perLayerArrays: true },
    { seed: 3, layers: 1 },
    { seed: 4, architecture: "qwen2" },
  ];
  const seeds: GgufSections[] = [];
  for (const [i, options] of variants.entries()) {
    const file = path.join(dir, `seed-${i}.gguf`);
    writeTinyGguf(file, options);
    const bytes = readFileSync(file);
    seeds.push(ggufSections(bytes, await readGgufLayout(file, bytes.length)));
  }
  const addon = await nativeAddon();
  for (const { vocabulary, ...family } of familySeeds) {
    const file = path.join(dir, `seed-${family.architecture}.gguf`);
    await addon.createModel({
      outPath: file,
      vocabPath: path.join(
        repoRoot,
        "native",
        "llama-src",
        bundledLlamaCppRelease(),
        "models",
        `ggml-vocab-${vocabulary}.gguf`,
      ),
      nVocab: 512,
      nEmbd: 64,
      nFf: 128,
      nLayer: 1,
      nHead: 4,
      nHeadKv: 2,
      type: "f16",
      seed: 3,
      ...family,
    });
    const bytes = readFileSync(file);
    seeds.push(ggufSections(bytes, await readGgufLayout(file, bytes.length)));
  }
  return seeds;
}

export async function runGgufFuzz(options: GgufFuzzOptions): Promise<GgufFuzzResult> {
  const seeds = await fuzzSeeds(path.join(options.workDir, "seeds"));
  const random = seededRandom(options.seed);
  const table = new OutcomeTable();
  const kept: string[] = [];
  const dataDir = path.join(options.workDir, "cli-data");
  const mutantDir = path.join(options.workDir, "mutants");
  const keptDir = path.join(options.workDir, "defects");
  mkdirSync(mutantDir, { recursive: true });
  const cli = { first: options.cliCount, accepted: options.acceptedCliCount ?? 0 };
  const served = { first: options.serverCount ?? 0, accepted: options.acceptedServerCount ?? 0 };
  const server =
    served.first + served.accepted > 0
      ? await ServerFuzzPath.start(path.join(options.workDir, "server-data"))
      : undefined;

  for (let i = 0; i < options.count; i++) {
    const seedIndex = Math.floor(random() * seeds.length);
    const mutation = mutateGguf(seeds[seedIndex]!, random);
    const detail = `seed ${seedIndex}: ${mutation.kind}: ${mutation.detail}`;
    const file = path.join(mutantDir, `fuzz-${options.seed}-${i}.gguf`);
    writeFileSync(file, mutation.bytes);
    const before = table.defects.length;

    const read = await inProcessOutcome(async () => {
      const info = await stat(file);
      await readModelMetadata(file);
      return info;
    }, libraryRefusal);
    table.add("reader", read, file, detail);

    const accepted = read.verdict === "accepted";
    if (takes(cli, i, accepted)) await checkThroughCli(file, dataDir, table, detail);
    if (server && takes(served, i, accepted)) await server.check(file, table, detail);

    if (table.defects.length > before) {
      mkdirSync(keptDir, { recursive: true });
      const keptFile = path.join(keptDir, path.basename(file));
      writeFileSync(keptFile, mutation.bytes);
      writeFileSync(`${keptFile}.txt`, `${detail}\n`);
      kept.push(keptFile);
    }
    rmSync(file, { force: true });
    options.onProgress?.(i + 1, options.count);
  }
  const serverExit = await server?.close();
  if (server && serverExit !== 0)
    table.add("server stop", { verdict: "crash", reason: `exit ${serverExit}`, message: "" }, "", "");
  return { table, kept };
}

/** Whether a path takes file `i`: one of its first files, or one more of those the reader accepted. */
function takes(quota: { first: number; accepted: number }, i: number, accepted: boolean): boolean {
  if (i < quota.first) return true;
  if (!accepted || quota.accepted <= 0) return false;
  quota.accepted--;
  return true;
}

/** `models import`; for an accepted file also `models show` and a dry-run quantize (a worker reads it with llama.cpp). */
export async function checkThroughCli(
  file: string,
  dataDir: string,
  table: OutcomeTable,
  detail: string,
): Promise<void> {
  const imported = await cliOutcome(["models", "import", file, "--json", "--data-dir", dataDir]);
  table.add("cli import", imported.outcome, file, detail);
  if (imported.outcome.verdict !== "accepted") return;
  const id = (JSON.parse(imported.stdout) as { model: { id: string } }).model.id;
  const shown = await cliOutcome(["models", "show", id, "--json", "--data-dir", dataDir]);
  table.add("cli show", shown.outcome, file, detail);
  const quantized = await cliOutcome([
    "quantize",
    id,
    "--type",
    "Q8_0",
    "--dry-run",
    "--threads",
    "1",
    "--json",
    "--data-dir",
    dataDir,
  ]);
  table.add("worker quantize", quantized.outcome, file, detail);
}
