// npm run bench:eval [-- --model PATH --types Q4_0,Q8_0 --ctx 256 --chunks 16 --text-bytes 200000 --exact]
// Our evaluation next to llama.cpp's llama-perplexity on the same model, text, context and chunks:
// figures side by side (PPL, ratio, mean KLD, percentiles, same top, RMS Δp), the cached base file
// sizes, and wall-clock time. We run N + 1 passes for N variants (one base pass, cached); with
// llama-perplexity each variant needs its own base pass plus a KLD pass (2N), or 1 + N when its 16-bit
// base file is kept and reused, which is also printed. --exact also decodes the base in lockstep with
// every variant to measure the error of our compact base file against the exact full-vocabulary KLD.
// llama-perplexity runs on node-llama-cpp's prebuilt library binaries (tools flavour "prebuilt" in
// scripts/build-llama-tools.js), the ones our passes use; --flavour release|native picks another build.
import { mkdtempSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { evalSettings } from "../src/shared/domain/eval.js";
import { runEvaluation } from "../src/worker/eval/runEvaluation.js";
import { theirKld, theirPerplexity, type TheirKld, type ToolFlavour } from "../test/eval/llamaPerplexity.js";
import { writeEvalText } from "../test/eval/evalText.js";
import { evalBase, quantizedVariant } from "../test/eval/models.js";

const { values } = parseArgs({
  options: {
    model: { type: "string" },
    types: { type: "string", default: "Q4_0,Q5_0,Q8_0" },
    ctx: { type: "string", default: "256" },
    chunks: { type: "string", default: "16" },
    "text-bytes": { type: "string", default: "200000" },
    threads: { type: "string", default: String(os.availableParallelism()) },
    exact: { type: "boolean", default: false },
    flavour: { type: "string", default: "prebuilt" },
  },
});

const contextSize = Number(values.ctx);
const chunks = Number(values.chunks);
const threads = Number(values.threads);
const types = values.types.split(",").filter(Boolean);
const flavour = values.flavour as ToolFlavour;
const chosen = values.model ? { model: values.model, text: null } : await evalBase();
const base = chosen.model;
const dir = mkdtempSync(path.join(os.tmpdir(), "cwb-bench-eval-"));

const pct = (a: number, b: number): string => `${((a / b - 1) * 100).toFixed(2)} %`;
const row = (label: string, ours: number, theirs: number, digits = 6): string =>
  `  ${label.padEnd(14)} ${ours.toFixed(digits).padStart(14)} ${theirs.toFixed(digits).padStart(14)}   ${pct(ours, theirs).padStart(9)}`;

try {
  const text = chosen.text ?? writeEvalText(dir, Number(values["text-bytes"]));
  const variants = types.map((t) => ({ type: t, path: quantizedVariant(base, t) }));
  console.log(
    `model ${base}\ntext ${text} (${statSync(text).size} bytes), context ${contextSize}, ${chunks} chunks, ${threads} threads, llama-perplexity: ${flavour} build\n`,
  );

  const theirFile = path.join(dir, "theirs.kld");
  const theirBase = await theirPerplexity({
    model: base,
    text,
    contextSize,
    chunks,
    threads,
    flavour,
    saveBaseTo: theirFile,
  });
  const theirs: TheirKld[] = [];
  for (const v of variants)
    theirs.push(
      await theirKld({ model: v.path, baseFile: theirFile, contextSize, chunks, threads, flavour }),
    );

  const started = Date.now();
  const ours = await runEvaluation(
    {
      base: { modelId: "base", path: base },
      variants: variants.map((v) => ({ modelId: v.type, path: v.path })),
      textPath: text,
      settings: evalSettings.parse({ contextSize, chunks, threads }),
      baseCachePath: null,
      writeBaseCacheTo: path.join(dir, "ours.cwbbase"),
    },
    { exactKld: values.exact },
  );
  const ourSeconds = (Date.now() - started) / 1000;

  console.log(`                          ours         theirs   difference`);
  console.log(row("base PPL", ours.base!.figures.ppl.value, theirBase.ppl, 4));
  ours.variants.forEach((v, i) => {
    const t = theirs[i]!;
    const f = v.figures;
    console.log(`${v.modelId}:`);
    console.log(row("PPL", f.ppl.value, t.ppl, 4));
    console.log(row("base PPL", f.basePpl.value, t.basePpl, 4));
    console.log(row("PPL ratio", f.pplRatio.value, t.pplRatio));
    console.log(row("KLD mean", f.kldMean.value, t.kldMean));
    console.log(
      `  ${"  ± (theirs)".padEnd(14)} ${f.kldMean.uncertainty.toFixed(6).padStart(14)} ${t.kldUncertainty.toFixed(6).padStart(14)}`,
    );
    console.log(row("KLD median", f.kldMedian, t.kldMedian));
    console.log(row("KLD p99", f.kldP99, t.kldP99));
    console.log(row("KLD p99.9", f.kldP999, t.kldP999));
    console.log(row("KLD max", f.kldMax, t.kldMax));
    console.log(row("same top %", 100 * f.sameTop.value, t.sameTop, 3));
    console.log(row("RMS Δp %", 100 * f.deltaPRms.value, t.rmsDp, 3));
    if (v.kldExactMean !== undefined)
      console.log(
        `  compact-file KLD vs exact full-vocabulary KLD (${v.kldExactMean.toFixed(6)}): ${pct(f.kldMean.value, v.kldExactMean)}`,
      );
  });

  const theirBytes = statSync(theirFile).size;
  const ourBytes = ours.base!.file.bytes;
  console.log(
    `\nbase file: ours ${ourBytes} bytes (mean top-k ${ours.base!.file.meanK.toFixed(1)}, mean tail mass ${ours.base!.file.meanRestMass.toFixed(4)}), theirs ${theirBytes} bytes: ${(theirBytes / ourBytes).toFixed(1)}x smaller`,
  );
  const theirKldSeconds = theirs.reduce((s, t) => s + t.seconds, 0);
  const n = variants.length;
  console.log(`time for ${n} variant(s), wall clock incl. model loads:`);
  console.log(
    `  ours   ${ourSeconds.toFixed(1)} s (${n + 1} passes${values.exact ? ", with the lockstep exact KLD" : ""})`,
  );
  console.log(
    `  theirs ${(n * theirBase.seconds + theirKldSeconds).toFixed(1)} s (2N = ${2 * n} passes: a base pass per variant, measured once ${theirBase.seconds.toFixed(1)} s)`,
  );
  console.log(
    `  theirs ${(theirBase.seconds + theirKldSeconds).toFixed(1)} s (N + 1 = ${n + 1} passes, reusing its ${theirBytes}-byte base file)`,
  );
  const perPass = [
    `base ${ours.base!.evalSeconds.toFixed(2)} / ${theirBase.seconds.toFixed(2)}`,
    ...ours.variants.map(
      (v, i) => `${v.modelId} ${v.evalSeconds.toFixed(2)} / ${theirs[i]!.seconds.toFixed(2)}`,
    ),
  ];
  console.log(
    `per pass, ours (decode loop only) / theirs (whole process, model load included), s: ${perPass.join(", ")}`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
