// npm run bench:quantize [-- --model PATH | --size 1B] [--types Q8_0,Q4_K_M,Q2_K,IQ4_XS --repeat 3 --threads 2]
// Our quantizer (the addon's llama_model_quantize call, as a worker runs it) next to llama.cpp's own
// llama-quantize built from the same bundled source, on the same input: time for each (median of
// --repeat runs; theirs both as its own "quantize time" line and as the whole process), their ratio,
// output size, and whether the two files are byte-identical. "ours s" is the whole call as a worker
// makes it (JS → addon → llama_model_quantize, importance-matrix file read included); "lib s" is the
// llama_model_quantize call alone, the same span llama-quantize's "quantize time" covers (it reads
// its importance matrix before that timer starts). llama-quantize runs on node-llama-cpp's prebuilt
// library binaries (tools flavour "prebuilt", scripts/build-llama-tools.js), so both run the same code. Q2_K and the i-quants get an importance
// matrix computed once by llama-imatrix (only when one of --types needs it). Without --model a random
// 4-block width-256 model is made; --size 1B takes the F16 random-weight model of Llama 3.2 1B's shape
// (bench/realSizeModels.ts, built once and cached; default types Q4_K_M,Q8_0, 3 repeats). The input is
// read once before timing so both quantizers find it in the page cache. The 1-minute load average
// after each type is printed with its row.
import { closeSync, mkdtempSync, openSync, readSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { findQuantType } from "../src/shared/quantTypes.js";
import {
  llamaTools,
  makeRandomModel,
  nativeAddon,
  runLlamaImatrix,
  runTool,
  sha256,
  writeCalibrationText,
} from "../test/quantize/fixtures.js";
import { range, shownPath } from "./format.js";
import { isRealSize, realSizeSource, realSizes } from "./realSizeModels.js";

const { values } = parseArgs({
  options: {
    model: { type: "string" },
    size: { type: "string" },
    types: { type: "string" },
    repeat: { type: "string" },
    threads: { type: "string", default: String(os.availableParallelism()) },
  },
});
const size = values.size?.toUpperCase();
if (size !== undefined && !isRealSize(size)) throw new Error(`--size: one of ${realSizes.join(", ")}`);
if (size !== undefined && values.model) throw new Error("--model and --size exclude each other");
const repeat = Math.max(1, Number(values.repeat ?? (size ? 3 : 5)));
const typeNames = (values.types ?? (size ? "Q4_K_M,Q8_0" : "Q8_0,Q6_K,Q4_K_M,Q4_0,Q2_K,IQ4_XS"))
  .split(",")
  .filter(Boolean);
const threads = Number(values.threads);
// The same library binaries as our addon: the ratio then measures our call path only.
const tools = llamaTools("prebuilt");
if ("skip" in tools) {
  console.error(`bench:quantize: ${tools.skip}`);
  process.exit(1);
}
const dir = mkdtempSync(path.join(os.tmpdir(), "cwb-bench-quantize-"));
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const needsImatrix = (name: string): boolean =>
  findQuantType(name)?.needsImatrix === true || name === "Q2_K" || name.startsWith("IQ");

/** Reads the whole file once (untimed), so neither quantizer pays for the disk. */
function readThrough(file: string): void {
  const fd = openSync(file, "r");
  const chunk = Buffer.allocUnsafe(16 << 20);
  try {
    while (readSync(fd, chunk, 0, chunk.length, null) > 0);
  } finally {
    closeSync(fd);
  }
}

try {
  const addon = await nativeAddon();
  const model = size
    ? await realSizeSource(size, addon)
    : values.model
      ? path.resolve(values.model)
      : await makeRandomModel(path.join(dir, "base-f32.gguf"));
  const imatrix = path.join(dir, "imatrix.gguf");
  if (typeNames.some(needsImatrix)) {
    const text = writeCalibrationText(path.join(dir, "calibration.txt"));
    runLlamaImatrix(tools.imatrix, { model, text, out: imatrix, chunks: 8, threads });
  }
  readThrough(model);
  const inputBytes = statSync(model).size;
  // The goal for inputs of real size: no slower than llama-quantize, same bytes.
  const large = inputBytes >= 1e9;
  const missed: string[] = [];
  console.log(
    `input ${shownPath(model)} (${(inputBytes / 1e6).toFixed(1)} MB), ${threads} threads, median of ${repeat}; ` +
      `load average ${os.loadavg()[0]!.toFixed(2)} at the start`,
  );
  console.log(
    `${"type".padEnd(8)} ${"ours s".padStart(8)} ${"lib s".padStart(8)} ${"theirs s".padStart(9)} ${"ratio".padStart(6)} ${"lib ratio".padStart(9)} ${"process s".padStart(10)} ${"MB".padStart(7)} ${"ratio range".padStart(11)} ${"load".padStart(5)}  identical`,
  );
  for (const name of typeNames) {
    const type = findQuantType(name);
    if (!type) throw new Error(`unknown type ${name}`);
    const withImatrix = needsImatrix(name);
    const ours = path.join(dir, `ours-${name}.gguf`);
    const theirs = path.join(dir, `theirs-${name}.gguf`);
    const oursTimes: number[] = [];
    const libTimes: number[] = [];
    const theirTimes: number[] = [];
    const processTimes: number[] = [];
    const runOurs = async (): Promise<void> => {
      rmSync(ours, { force: true });
      const started = performance.now();
      const result = await addon.quantize({
        inPath: model,
        outPath: ours,
        ftype: type.ftype,
        threads,
        ...(withImatrix ? { imatrixPath: imatrix } : {}),
      }).promise;
      oursTimes.push((performance.now() - started) / 1000);
      libTimes.push(result.seconds);
    };
    const runTheirs = (): void => {
      rmSync(theirs, { force: true });
      const t = runTool(tools.quantize, [
        ...(withImatrix ? ["--imatrix", imatrix] : []),
        model,
        theirs,
        name,
        String(threads),
      ]);
      processTimes.push(t.seconds);
      const reported = /quantize time =\s*([\d.]+) ms/.exec(t.output);
      theirTimes.push(reported ? Number(reported[1]) / 1000 : t.seconds);
    };
    // The order alternates, so a drift of the machine's speed does not favour one side.
    for (let i = 0; i < repeat; i++) {
      if (i % 2 === 0) {
        await runOurs();
        runTheirs();
      } else {
        runTheirs();
        await runOurs();
      }
    }
    const o = median(oursTimes);
    const lib = median(libTimes);
    const th = median(theirTimes);
    // Spread: ours / theirs of each repetition (the two run back to back).
    const ratios = oursTimes.map((t, i) => t / theirTimes[i]!);
    const ratioRange = range(ratios, (v) => v.toFixed(2));
    const identical = sha256(ours) === sha256(theirs);
    if (large && (o / th > 1 || !identical)) missed.push(name);
    console.log(
      `${name.padEnd(8)} ${o.toFixed(3).padStart(8)} ${lib.toFixed(3).padStart(8)} ${th.toFixed(3).padStart(9)} ${(o / th).toFixed(2).padStart(6)} ${(lib / th).toFixed(2).padStart(9)} ${median(processTimes).toFixed(3).padStart(10)} ` +
        `${(statSync(ours).size / 1e6).toFixed(2).padStart(7)} ${ratioRange.padStart(11)} ${os.loadavg()[0]!.toFixed(2).padStart(5)}  ` +
        `${identical ? "yes" : "NO"}${withImatrix ? " (imatrix)" : ""}`,
    );
    rmSync(ours, { force: true });
    rmSync(theirs, { force: true });
  }
  if (large) {
    console.log(
      missed.length === 0
        ? "goal (ratio ≤ 1.00, identical output): met for every type"
        : `goal (ratio ≤ 1.00, identical output): MISSED for ${missed.join(", ")}`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
