// npm run bench:width [-- --chunks N --threads N --reps N --heal-tokens N]
// Width pruning against block dropping on the reference model: FFN channels kept at 75 % and 50 %
// (uniform, least important removed) next to dropping the 1 and 2 least important blocks (the nearest
// block counts to the same parameter count), each as cut and healed (distilled from the original on the
// calibration text with the same token budget, --heal-tokens, 0 to skip). For each: parameters, file
// size, perplexity and KL divergence to the original on held-out text (± one standard error from the
// eval), top-token agreement, and generation / prompt speed (mean ± standard deviation over the
// repetitions; healing changes no shape, so the speed is the cut model's). Runs the real CLI in a
// temporary data dir: what a user would get.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import type { BenchReport } from "../src/shared/domain/bench.js";
import type { EvalJobResult } from "../src/shared/domain/eval.js";
import type { ModelRecord } from "../src/shared/domain/model.js";
import { formatBytes } from "../src/shared/format.js";
import { buildNode, runCwb } from "../test/cli/runCwb.js";
import { referenceModel } from "../test/helpers/referenceModel.js";

const { values } = parseArgs({
  options: {
    chunks: { type: "string", default: "40" },
    threads: { type: "string", default: "2" },
    reps: { type: "string", default: "5" },
    "heal-tokens": { type: "string", default: "15360" },
  },
});

buildNode();
const ref = await referenceModel();
const dataDir = mkdtempSync(path.join(os.tmpdir(), "cwb-bench-width-"));
const measure = [
  "--text",
  ref.calibrationText.path,
  "--ctx",
  "512",
  "--chunks",
  "16",
  "--threads",
  values.threads,
];

async function cwbJson<T>(...args: string[]): Promise<T> {
  const run = await runCwb(["--data-dir", dataDir, "--json", ...args]);
  if (run.code !== 0) throw new Error(`cwb ${args.join(" ")} failed:\n${run.stderr}`);
  return JSON.parse(run.stdout) as T;
}

interface Row {
  label: string;
  path: string;
  model?: ModelRecord;
  /** The same model distilled from the original (rows other than the original, when healing). */
  healedPath?: string;
}

const healTokens = Number(values["heal-tokens"]);

try {
  const rows: Row[] = [
    { label: "original", path: ref.modelPath },
    { label: "FFN 75 %", path: path.join(dataDir, "ffn75.gguf") },
    { label: "FFN 50 %", path: path.join(dataDir, "ffn50.gguf") },
    { label: "drop 1 block", path: path.join(dataDir, "drop1.gguf") },
    { label: "drop 2 blocks", path: path.join(dataDir, "drop2.gguf") },
  ];
  const steps: [Row, string[]][] = [
    [rows[1]!, ["--ffn-keep", "0.75"]],
    [rows[2]!, ["--ffn-keep", "0.5"]],
    [rows[3]!, ["--drop", "1"]],
    [rows[4]!, ["--drop", "2"]],
  ];
  for (const [row, args] of steps) {
    console.error(`pruning: ${row.label}`);
    row.model = (
      await cwbJson<{ model: ModelRecord }>("prune", ref.modelPath, ...measure, ...args, "--out", row.path)
    ).model;
  }
  rows[0]!.model = (await cwbJson<{ model: ModelRecord }>("models", "import", ref.modelPath)).model;
  if (healTokens > 0) {
    for (const row of rows.slice(1)) {
      console.error(`healing: ${row.label} (${healTokens} tokens)`);
      row.healedPath = row.path.replace(/\.gguf$/, ".healed.gguf");
      await cwbJson(
        "distill",
        "--teacher",
        ref.modelPath,
        "--student",
        row.path,
        "--text",
        ref.calibrationText.path,
        "--tokens",
        String(healTokens),
        "--threads",
        values.threads,
        "--out",
        row.healedPath,
      );
    }
  }

  console.error("evaluating against the original");
  const evaluation = await cwbJson<EvalJobResult>(
    "eval",
    "--base",
    ref.modelPath,
    "--text",
    ref.evalText.path,
    "--ctx",
    "512",
    "--chunks",
    values.chunks,
    "--threads",
    values.threads,
    ...rows.slice(1).map((r) => r.path),
    ...rows.flatMap((r) => (r.healedPath ? [r.healedPath] : [])),
  );
  const cut = rows.length - 1;

  const speeds: BenchReport[] = [];
  for (const row of rows) {
    console.error(`speed: ${row.label}`);
    const report = await cwbJson<BenchReport>(
      "bench",
      row.path,
      "--pp",
      "128",
      "--tg",
      "128",
      "--reps",
      values.reps,
      "--threads",
      values.threads,
      "--warm-loads",
      "0",
      "--no-bandwidth",
    );
    speeds.push(report);
  }

  const interval = (v: { value: number; uncertainty: number }, digits: number) =>
    `${v.value.toFixed(digits)} ± ${v.uncertainty.toFixed(digits)}`;
  const speed = (report: BenchReport, name: string) => {
    const m = report.metrics.find((x) => x.name === name);
    return m ? `${m.value.toFixed(0)} ± ${(m.stddev ?? 0).toFixed(0)}` : "–";
  };
  const healing = healTokens > 0;
  const header = [
    "variant",
    "params",
    "size",
    "PPL",
    "KLD",
    ...(healing ? ["PPL healed", "KLD healed"] : []),
    "same top",
    "tg128 tok/s",
    "pp128 tok/s",
  ];
  const lines = rows.map((row, i) => {
    const figures = i === 0 ? null : evaluation.variants[i - 1]!.figures;
    const healed = i === 0 || !healing ? null : evaluation.variants[cut + i - 1]!.figures;
    const ppl = figures ? interval(figures.ppl, 2) : interval(evaluation.basePpl, 2);
    return [
      row.label,
      (row.model?.metadata.parameterCount ?? 0).toLocaleString("en-US"),
      formatBytes(row.model?.sizeBytes ?? 0),
      ppl,
      figures ? interval(figures.kldMean, 4) : "–",
      ...(healing
        ? [healed ? interval(healed.ppl, 2) : "–", healed ? interval(healed.kldMean, 4) : "–"]
        : []),
      figures
        ? `${(figures.sameTop.value * 100).toFixed(1)} ± ${(figures.sameTop.uncertainty * 100).toFixed(1)} %`
        : "–",
      speed(speeds[i]!, "tg.128"),
      speed(speeds[i]!, "pp.128"),
    ];
  });
  console.log(`| ${header.join(" | ")} |`);
  console.log(`| ${header.map(() => "---").join(" | ")} |`);
  for (const line of lines) console.log(`| ${line.join(" | ")} |`);
  console.log(
    `\nheld-out text: ${evaluation.variants[0]?.figures.positions ?? 0} scored positions; ± on PPL/KLD/same top: one standard error, as llama-perplexity gives it; healed: distilled from the original on the calibration text, ${healing ? `${healTokens} tokens` : "skipped"}; ± on speed: standard deviation over ${values.reps} repetitions; ${values.threads} threads`,
  );
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
