// npm run bench:quantize [-- --model PATH --types Q8_0,Q4_K_M,Q2_K,IQ4_XS --repeat 3 --threads 2]
// Our quantizer (the addon's llama_model_quantize call, as a worker runs it) next to llama.cpp's own
// llama-quantize built from the same bundled source, on the same input: time for each (median of
// --repeat runs; theirs both as its own "quantize time" line and as the whole process), their ratio,
// output size, and whether the two files are byte-identical. "ours s" is the whole call as a worker
// makes it (JS → addon → llama_model_quantize, importance-matrix file read included); "lib s" is the
// llama_model_quantize call alone, the same span llama-quantize's "quantize time" covers (it reads
// its importance matrix before that timer starts). llama-quantize runs on node-llama-cpp's prebuilt
// library binaries (tools flavour "prebuilt", scripts/build-llama-tools.js), so both run the same code. Q2_K and the i-quants get an importance
// matrix computed once by llama-imatrix. Without --model a random 4-block width-256 model is made.
import { mkdtempSync, rmSync, statSync } from "node:fs";
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

const { values } = parseArgs({
  options: {
    model: { type: "string" },
    types: { type: "string", default: "Q8_0,Q6_K,Q4_K_M,Q4_0,Q2_K,IQ4_XS" },
    repeat: { type: "string", default: "5" },
    threads: { type: "string", default: String(os.availableParallelism()) },
  },
});
const repeat = Math.max(1, Number(values.repeat));
const threads = Number(values.threads);
// The same library binaries as our addon: the ratio then measures our call path only.
const tools = llamaTools("prebuilt");
if ("skip" in tools) {
  console.error(`bench:quantize: ${tools.skip}`);
  process.exit(1);
}
const dir = mkdtempSync(path.join(os.tmpdir(), "cwb-bench-quantize-"));
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

try {
  const model = values.model
    ? path.resolve(values.model)
    : await makeRandomModel(path.join(dir, "base-f32.gguf"));
  const text = writeCalibrationText(path.join(dir, "calibration.txt"));
  const imatrix = path.join(dir, "imatrix.gguf");
  runLlamaImatrix(tools.imatrix, { model, text, out: imatrix, chunks: 8, threads });
  const addon = await nativeAddon();
  console.log(
    `input ${model} (${(statSync(model).size / 1e6).toFixed(1)} MB), ${threads} threads, median of ${repeat}`,
  );
  console.log(
    `${"type".padEnd(8)} ${"ours s".padStart(8)} ${"lib s".padStart(8)} ${"theirs s".padStart(9)} ${"ratio".padStart(6)} ${"lib ratio".padStart(9)} ${"process s".padStart(10)} ${"MB".padStart(7)}  identical`,
  );
  for (const name of values.types.split(",").filter(Boolean)) {
    const type = findQuantType(name);
    if (!type) throw new Error(`unknown type ${name}`);
    const withImatrix = type.needsImatrix || name === "Q2_K" || name.startsWith("IQ");
    const ours = path.join(dir, `ours-${name}.gguf`);
    const theirs = path.join(dir, `theirs-${name}.gguf`);
    const oursTimes: number[] = [];
    const libTimes: number[] = [];
    const theirTimes: number[] = [];
    const processTimes: number[] = [];
    for (let i = 0; i < repeat; i++) {
      rmSync(ours, { force: true });
      rmSync(theirs, { force: true });
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
    }
    const o = median(oursTimes);
    const lib = median(libTimes);
    const th = median(theirTimes);
    console.log(
      `${name.padEnd(8)} ${o.toFixed(3).padStart(8)} ${lib.toFixed(3).padStart(8)} ${th.toFixed(3).padStart(9)} ${(o / th).toFixed(2).padStart(6)} ${(lib / th).toFixed(2).padStart(9)} ${median(processTimes).toFixed(3).padStart(10)} ` +
        `${(statSync(ours).size / 1e6).toFixed(2).padStart(7)}  ${sha256(ours) === sha256(theirs) ? "yes" : "NO"}${withImatrix ? " (imatrix)" : ""}`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
