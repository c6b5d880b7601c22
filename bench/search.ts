// npm run bench:search [-- --types LIST --chunks N --heldout-chunks N --threads N]
// Recipe search against llama.cpp's stock mixes on the reference model: the budgets are the file
// sizes of Q3_K_M, Q4_K_S and Q5_K_S; for each, `cwb search` finds a mix within that size and
// quantizes it, and both files are evaluated on the held-out text (KLD and PPL with 95 % intervals,
// same base distributions, same chunks). Also prints the search's own cost in base-pass units and
// both recipes. Runs the real CLI in a temporary data dir: what a user would get.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import type { SearchReport } from "../src/shared/domain/searchReport.js";
import type { QuantizeJobResult } from "../src/shared/domain/compression.js";
import type { EvalJobResult } from "../src/shared/domain/eval.js";
import { buildNode, runCwb } from "../test/cli/runCwb.js";
import { referenceModel } from "../test/helpers/referenceModel.js";
import { ci95 } from "./format.js";

const { values } = parseArgs({
  options: {
    types: { type: "string", default: "Q2_K,Q3_K,Q4_K,Q5_K,Q6_K" },
    chunks: { type: "string", default: "4" },
    "heldout-chunks": { type: "string", default: "40" },
    threads: { type: "string", default: "2" },
  },
});
const stockTypes = ["Q3_K_M", "Q4_K_S", "Q5_K_S"];

buildNode();
const ref = await referenceModel();
const dataDir = mkdtempSync(path.join(os.tmpdir(), "cwb-bench-search-"));

async function cwbJson<T>(...args: string[]): Promise<T> {
  const run = await runCwb(["--data-dir", dataDir, "--json", ...args]);
  if (run.code !== 0) throw new Error(`cwb ${args.join(" ")} failed:\n${run.stderr}`);
  return JSON.parse(run.stdout) as T;
}

try {
  const stock: { type: string; id: string; bytes: number; tensorTypes: string }[] = [];
  for (const type of stockTypes) {
    console.error(`quantizing the stock ${type}`);
    const q = await cwbJson<QuantizeJobResult>(
      "quantize",
      ref.modelPath,
      "--type",
      type,
      "--threads",
      values.threads,
      "--out",
      path.join(dataDir, `${type}.gguf`),
    );
    const counts = new Map<string, number>();
    for (const t of q.report.tensors)
      if (t.shape.length > 1) counts.set(t.toType, (counts.get(t.toType) ?? 0) + 1);
    stock.push({
      type,
      id: q.model!.id,
      bytes: q.model!.sizeBytes,
      tensorTypes: [...counts].map(([t, n]) => `${n} × ${t}`).join(", "),
    });
  }

  console.error("searching (sensitivity pass, knapsack, validation)");
  const started = performance.now();
  const search = await cwbJson<SearchReport>(
    "search",
    ref.modelPath,
    "--budget",
    stock.map((s) => String(s.bytes)).join(","),
    "--text",
    ref.calibrationText.path,
    "--types",
    values.types,
    "--chunks",
    values.chunks,
    "--threads",
    values.threads,
    "--heldout",
    ref.evalText.path,
    "--heldout-chunks",
    values["heldout-chunks"],
  );
  const searchSeconds = (performance.now() - started) / 1000;

  console.error("evaluating the stock types on the held-out text");
  const stockEval = await cwbJson<EvalJobResult>(
    "eval",
    ...stock.map((s) => s.id),
    "--base",
    ref.modelPath,
    "--text",
    ref.evalText.path,
    "--chunks",
    values["heldout-chunks"],
    "--threads",
    values.threads,
  );

  const pad = (text: string, width: number) => text.padEnd(width);
  console.log(
    `\nReference model ${path.basename(ref.modelPath)} (${ref.sizeBytes} bytes, F16), held-out ${values["heldout-chunks"]} chunks × 512 tokens, load ${os.loadavg()[0]!.toFixed(1)}`,
  );
  console.log(
    [
      pad("budget", 8),
      pad("recipe", 10),
      pad("bytes", 10),
      pad("KLD (95 %)", 24),
      pad("PPL (95 %)", 20),
      "predicted KLD",
    ].join(" "),
  );
  for (const [index, s] of stock.entries()) {
    const found = search.recipes[index]!;
    const figures = stockEval.variants.find((v) => v.modelId === s.id)!.figures;
    console.log(
      [
        pad(s.type, 8),
        pad("stock", 10),
        pad(String(s.bytes), 10),
        pad(ci95(figures.kldMean, 5), 24),
        pad(ci95(figures.ppl, 2), 20),
        "-",
      ].join(" "),
    );
    const v = found.validation!;
    console.log(
      [
        pad("", 8),
        pad("searched", 10),
        pad(String(v.sizeBytes), 10),
        pad(ci95(v.kld, 5), 24),
        pad(ci95(v.ppl, 2), 20),
        found.recipe.predictedKld.toFixed(5),
      ].join(" "),
    );
    const gap = v.kld.value - figures.kldMean.value;
    const spread = 1.96 * Math.hypot(v.kld.uncertainty, figures.kldMean.uncertainty);
    console.log(
      `${pad("", 8)} searched − stock KLD: ${gap.toFixed(5)} ± ${spread.toFixed(5)} (${gap + spread < 0 ? "searched lower" : gap - spread > 0 ? "stock lower" : "not separable"}); size ${v.sizeBytes <= s.bytes ? "≤" : ">"} stock`,
    );
    console.log(`${pad("", 8)} stock:    ${s.tensorTypes}`);
    console.log(
      `${pad("", 8)} searched: ${found.recipe.choices.map((c) => `${c.name}=${c.type}`).join(" ")}`,
    );
  }
  const cost = search.sensitivity;
  if (cost)
    console.log(
      `\nsearch cost: ${cost.passes} passes in ${cost.seconds.toFixed(0)} s` +
        (cost.basePassSeconds
          ? ` = ${(cost.seconds / cost.basePassSeconds).toFixed(0)} base passes of ${values.chunks} chunks`
          : "") +
        `; whole search with validation ${searchSeconds.toFixed(0)} s`,
    );
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
