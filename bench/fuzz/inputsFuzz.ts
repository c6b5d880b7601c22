// The other inputs users hand the workbench, under seeded mutation: importance matrices (GGUF and
// legacy .dat), calibration/evaluation texts, and export bundles (folder and .zip). Each mutant goes
// through the code that reads it in this process (the quantize preflight, the text store and the
// evaluation plan, the bundle verifier); the first `cliCount` mutants, and up to `acceptedCliCount`
// that the in-process path accepted, also go through the real CLI, where llama.cpp reads them in a
// worker (`cwb quantize --imatrix`, `cwb imatrix --text`, `cwb export verify`).
import { copyFileSync, linkSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { seededRandom } from "../../src/core/bench/randomTokens.js";
import { CodedError } from "../../src/core/errors.js";
import { checkBundleFiles, checkZipBundle, readBundleManifest } from "../../src/core/export/verifyBundle.js";
import { importModel } from "../../src/core/library/importModel.js";
import { LibraryError } from "../../src/core/library/LibraryError.js";
import { readGgufLayout } from "../../src/core/library/ggufLayout.js";
import { dataPaths } from "../../src/core/paths.js";
import { checkImatrixMatchesModel } from "../../src/core/quantize/checkQuantizeInput.js";
import { storeTextSet } from "../../src/core/quantize/storeTextSet.js";
import { planEvaluation } from "../../src/core/eval/planEvaluation.js";
import { Store } from "../../src/core/store/Store.js";
import type { ModelRecord } from "../../src/shared/domain/model.js";
import { nativeAddon, vocabPath, writeCalibrationText } from "../../test/quantize/fixtures.js";
import { legacyImatrixFields, mutateBytes, zipFields, type ByteField } from "./byteMutator.js";
import { cliOutcome, inProcessOutcome, OutcomeTable, type Outcome } from "./fuzzOutcome.js";
import { ggufSections, mutateGguf, type GgufSections } from "./ggufMutator.js";
import { mutateTextFile } from "./textFileMutator.js";
import { mutateText, seededPickers } from "./textMutator.js";

export const fuzzedInputs = ["imatrix", "text", "bundle"] as const;
export type FuzzedInput = (typeof fuzzedInputs)[number];

export interface InputsFuzzOptions {
  inputs: readonly FuzzedInput[];
  count: number;
  seed: number;
  cliCount: number;
  acceptedCliCount?: number;
  workDir: string;
  onProgress?: (input: FuzzedInput, done: number, total: number) => void;
  /** Told each CLI refusal with the mutation behind it (the table keeps only counts). */
  onCliRefusal?: (detail: string, message: string) => void;
}

/** Valid files of each input, made here: a tiny model, its matrices, a text, its bundles. */
export interface InputSeeds {
  model: string;
  record: ModelRecord;
  text: string;
  imatrixGguf: GgufSections;
  imatrixDat: { bytes: Buffer; fields: ByteField[] };
  bundleDir: string;
  bundleZip: { bytes: Buffer; fields: ByteField[] };
}

/** Coded errors (core's and the library's) are refusals with a name; FAILED, like anything else thrown, is a defect. */
export function codedRefusal(error: unknown): string | null {
  if (error instanceof CodedError) return error.code === "FAILED" ? null : error.code;
  return error instanceof LibraryError ? error.code : null;
}

/** Runs the CLI and fails loudly: seeds must be made by the real commands. */
async function cwbOk(args: string[]): Promise<string> {
  const run = await cliOutcome(args);
  if (run.outcome.verdict !== "accepted")
    throw new Error(`cwb ${args.join(" ")}: ${run.outcome.verdict}: ${run.outcome.message}`);
  return run.stdout;
}

export async function makeInputSeeds(dir: string, store: Store): Promise<InputSeeds> {
  mkdirSync(dir, { recursive: true });
  const model = path.join(dir, "tiny.gguf");
  // Small enough that a bundle copy per mutant is cheap (about 1 MB), real enough for llama.cpp.
  await (
    await nativeAddon()
  ).createModel({
    outPath: model,
    vocabPath,
    nVocab: 4096,
    nEmbd: 32,
    nFf: 64,
    nLayer: 1,
    nHead: 2,
    seed: 3,
  });
  const record = (await importModel(store.db, model)).model;
  const text = writeCalibrationText(path.join(dir, "calibration.txt"), 1);

  // Made by the real commands, at once (each with its own data dir).
  const imatrix = path.join(dir, "tiny.imatrix.gguf");
  const bundleDir = path.join(dir, "bundle");
  const zip = path.join(dir, "bundle.zip");
  const seedData = (name: string) => ["--data-dir", path.join(dir, `seed-data-${name}`)];
  await Promise.all([
    cwbOk([
      "imatrix",
      model,
      "--text",
      text,
      "--ctx",
      "64",
      "--chunks",
      "2",
      "--threads",
      "1",
      "--out",
      imatrix,
      ...seedData("imatrix"),
    ]),
    cwbOk(["export", model, "--out", bundleDir, ...seedData("folder")]),
    cwbOk(["export", model, "--out", zip, ...seedData("zip")]),
  ]);
  const imatrixBytes = readFileSync(imatrix);
  const imatrixGguf = ggufSections(imatrixBytes, await readGgufLayout(imatrix, imatrixBytes.length));
  const dat = legacyImatrix(record);
  const zipBytes = readFileSync(zip);
  return {
    model,
    record,
    text,
    imatrixGguf,
    imatrixDat: { bytes: dat, fields: legacyImatrixFields(dat) },
    bundleDir,
    bundleZip: { bytes: zipBytes, fields: zipFields(zipBytes) },
  };
}

/** A legacy .dat matrix with an entry of the right width for each of the model's weight matrices. */
function legacyImatrix(model: ModelRecord): Buffer {
  const parts: Buffer[] = [];
  const matrices = model.metadata.tensors.filter((t) => t.shape.length === 2 && t.name.startsWith("blk."));
  const head = Buffer.alloc(4);
  head.writeInt32LE(matrices.length);
  parts.push(head);
  for (const tensor of matrices) {
    const name = Buffer.from(tensor.name, "utf8");
    const width = tensor.shape[0]!;
    const entry = Buffer.alloc(12 + name.length + 4 * width);
    let at = entry.writeInt32LE(name.length, 0);
    at += name.copy(entry, at);
    at = entry.writeInt32LE(2, at);
    at = entry.writeInt32LE(width, at);
    for (let i = 0; i < width; i++) at = entry.writeFloatLE(1 + i / width, at);
    parts.push(entry);
  }
  return Buffer.concat(parts);
}

interface Mutant {
  /** The file or folder the readers are given. */
  file: string;
  detail: string;
}

function mutateImatrix(seeds: InputSeeds, random: () => number, file: string): Mutant {
  if (random() < 0.5) {
    const mutation = mutateGguf(seeds.imatrixGguf, random);
    writeFileSync(`${file}.gguf`, mutation.bytes);
    return { file: `${file}.gguf`, detail: `gguf imatrix: ${mutation.kind}: ${mutation.detail}` };
  }
  const mutation = mutateBytes(seeds.imatrixDat.bytes, seeds.imatrixDat.fields, random);
  writeFileSync(`${file}.dat`, mutation.bytes);
  return { file: `${file}.dat`, detail: `legacy imatrix: ${mutation.kind}: ${mutation.detail}` };
}

function mutateTextInput(seeds: InputSeeds, random: () => number, file: string): Mutant {
  const mutation = mutateTextFile(readFileSync(seeds.text, "utf8"), random);
  writeFileSync(`${file}.txt`, mutation.bytes);
  return { file: `${file}.txt`, detail: `text: ${mutation.kind}: ${mutation.detail}` };
}

const absurdManifestValues: unknown[] = [
  "../../../../etc/passwd",
  "/etc/passwd",
  "a\\..\\..\\b",
  "",
  "x".repeat(100_000),
  -1,
  1e308,
  2 ** 53 + 1,
  null,
  [],
  {},
  true,
  "\u0000",
];

/** A random leaf of the manifest set to an absurd value. */
function mutateManifestField(manifest: unknown, random: () => number): { json: unknown; detail: string } {
  const { pick } = seededPickers(random);
  const leaves: (string | number)[][] = [];
  const walk = (value: unknown, at: (string | number)[]): void => {
    if (value !== null && typeof value === "object")
      for (const [key, child] of Object.entries(value))
        walk(child, [...at, Array.isArray(value) ? Number(key) : key]);
    else leaves.push(at);
  };
  walk(manifest, []);
  const copy = structuredClone(manifest) as Record<string | number, unknown>;
  const leaf = pick(leaves);
  const replacement = pick(absurdManifestValues);
  let parent: Record<string | number, unknown> = copy;
  for (const key of leaf.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  parent[leaf.at(-1)!] = replacement;
  const shown =
    typeof replacement === "string" && replacement.length > 40
      ? `${replacement.length} chars`
      : JSON.stringify(replacement);
  return { json: copy, detail: `${leaf.join(".")} → ${shown}` };
}

function mutateBundle(seeds: InputSeeds, random: () => number, file: string): Mutant {
  const { pick } = seededPickers(random);
  if (random() < 0.4) {
    const mutation = mutateBytes(seeds.bundleZip.bytes, seeds.bundleZip.fields, random);
    writeFileSync(`${file}.zip`, mutation.bytes);
    return { file: `${file}.zip`, detail: `zip bundle: ${mutation.kind}: ${mutation.detail}` };
  }
  // A folder bundle: untouched files are hard links (cheap), the damaged one a real copy.
  const dir = `${file}-bundle`;
  const names = readdirSync(seeds.bundleDir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(seeds.bundleDir, path.join(e.parentPath, e.name)));
  for (const name of names) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    linkSync(path.join(seeds.bundleDir, name), path.join(dir, name));
  }
  const manifestFile = path.join(dir, "manifest.json");
  const manifestText = readFileSync(manifestFile, "utf8");
  rmSync(manifestFile);
  const how = pick(["manifest-text", "manifest-field", "file-damage"] as const);
  if (how === "manifest-text") {
    const mutation = mutateText(manifestText, random);
    writeFileSync(manifestFile, mutation.text);
    return { file: dir, detail: `folder bundle: manifest ${mutation.kind}: ${mutation.detail}` };
  }
  writeFileSync(manifestFile, manifestText);
  if (how === "manifest-field") {
    const mutation = mutateManifestField(JSON.parse(manifestText), random);
    writeFileSync(manifestFile, JSON.stringify(mutation.json, null, 2));
    return { file: dir, detail: `folder bundle: manifest field ${mutation.detail}` };
  }
  const victim = path.join(dir, pick(names.filter((n) => n !== "manifest.json")));
  const bytes = readFileSync(victim);
  rmSync(victim);
  const damage = pick(["delete", "directory", "bytes"] as const);
  if (damage === "directory") mkdirSync(victim);
  if (damage === "bytes") {
    const mutation = mutateBytes(bytes, [], random);
    writeFileSync(victim, mutation.bytes);
    return {
      file: dir,
      detail: `folder bundle: ${path.relative(dir, victim)}: ${mutation.kind}: ${mutation.detail}`,
    };
  }
  return {
    file: dir,
    detail: `folder bundle: ${path.relative(dir, victim)}: ${damage === "delete" ? "deleted" : "replaced by a folder"}`,
  };
}

const mutators: Record<FuzzedInput, (seeds: InputSeeds, random: () => number, file: string) => Mutant> = {
  imatrix: mutateImatrix,
  text: mutateTextInput,
  bundle: mutateBundle,
};

/** The in-process readers of each input: [path name, read]. */
function readersOf(
  input: FuzzedInput,
  seeds: InputSeeds,
  store: Store,
  dataDir: string,
): [string, (file: string) => Promise<unknown>][] {
  switch (input) {
    case "imatrix":
      return [["imatrix preflight", (file) => checkImatrixMatchesModel(file, seeds.record)]];
    case "text":
      return [
        ["text store", (file) => storeTextSet(store.db, dataDir, file, "calibration")],
        [
          "eval text plan",
          (file) => planEvaluation(store.db, { base: seeds.record.id, variants: [], textPath: file }),
        ],
      ];
    case "bundle":
      return [
        [
          "bundle verifier",
          async (file) => {
            if (file.endsWith(".zip")) return checkZipBundle(file);
            return checkBundleFiles(file, await readBundleManifest(file));
          },
        ],
      ];
  }
}

/** The CLI command that sends a mutant to llama.cpp in a worker. */
function cliArgs(
  input: FuzzedInput,
  seeds: InputSeeds,
  file: string,
  out: string,
  dataDir: string,
): string[] {
  const common = ["--threads", "1", "--data-dir", dataDir];
  switch (input) {
    case "imatrix":
      return ["quantize", seeds.model, "--type", "Q4_K_M", "--imatrix", file, "--out", out, ...common];
    case "text":
      return [
        "imatrix",
        seeds.model,
        "--text",
        file,
        "--ctx",
        "64",
        "--chunks",
        "1",
        "--out",
        out,
        ...common,
      ];
    case "bundle":
      return ["export", "verify", file, "--data-dir", dataDir];
  }
}

/** The fuzz's own data dir (its database holds the tiny model and the stored texts). */
export function openFuzzStore(workDir: string): { store: Store; dataDir: string } {
  const dataDir = path.join(workDir, "data");
  return { store: Store.open(dataPaths(dataDir).database), dataDir };
}

export async function runInputsFuzz(
  options: InputsFuzzOptions & { seeds: InputSeeds; store: Store; dataDir: string },
): Promise<Map<FuzzedInput, OutcomeTable>> {
  const { seeds, store, dataDir } = options;
  const tables = new Map<FuzzedInput, OutcomeTable>();
  const cliData = path.join(options.workDir, "cli-data");
  const mutantDir = path.join(options.workDir, "mutants");
  const keptDir = path.join(options.workDir, "defects");
  for (const input of options.inputs) {
    const random = seededRandom(options.seed);
    const table = new OutcomeTable();
    tables.set(input, table);
    let acceptedSent = 0;
    for (let i = 0; i < options.count; i++) {
      mkdirSync(mutantDir, { recursive: true });
      const mutant = mutators[input](seeds, random, path.join(mutantDir, `${input}-${options.seed}-${i}`));
      const before = table.defects.length;
      let accepted = true;
      for (const [name, read] of readersOf(input, seeds, store, dataDir)) {
        const outcome: Outcome = await inProcessOutcome(() => read(mutant.file), codedRefusal);
        table.add(name, outcome, mutant.file, mutant.detail);
        accepted &&= outcome.verdict === "accepted";
      }
      if (i < options.cliCount || (accepted && acceptedSent++ < (options.acceptedCliCount ?? 0))) {
        const out = path.join(options.workDir, `out-${i}.gguf`);
        const run = await cliOutcome(cliArgs(input, seeds, mutant.file, out, cliData));
        table.add(cliPathName[input], run.outcome, mutant.file, mutant.detail);
        if (run.outcome.verdict === "refused") options.onCliRefusal?.(mutant.detail, run.outcome.message);
        rmSync(out, { force: true });
      }
      if (table.defects.length > before) keep(mutant, keptDir);
      rmSync(mutantDir, { recursive: true, force: true });
      options.onProgress?.(input, i + 1, options.count);
    }
  }
  return tables;
}

const cliPathName: Record<FuzzedInput, string> = {
  imatrix: "cli quantize --imatrix",
  text: "cli imatrix --text",
  bundle: "cli export verify",
};

/** A defective mutant kept with a note of what was done to it. */
function keep(mutant: Mutant, keptDir: string): void {
  mkdirSync(keptDir, { recursive: true });
  const kept = path.join(keptDir, path.basename(mutant.file));
  if (mutant.file.endsWith("-bundle")) {
    mkdirSync(kept, { recursive: true });
    for (const name of readdirSync(mutant.file, { recursive: true, withFileTypes: true }))
      if (name.isFile()) {
        const from = path.join(name.parentPath, name.name);
        const to = path.join(kept, path.relative(mutant.file, from));
        mkdirSync(path.dirname(to), { recursive: true });
        copyFileSync(from, to);
      }
  } else copyFileSync(mutant.file, kept);
  writeFileSync(`${kept}.txt`, `${mutant.detail}\n`);
}
