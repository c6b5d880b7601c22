// `npm run bench:local-build`: what llama.cpp compiled for this machine buys over node-llama-cpp's
// prebuilt CPU library, through the product's own commands. Compiles the machine build once
// (`cwb llama build`, cached afterwards; several minutes), then on the reference model:
// - `cwb bench --compare-builds`: both builds side by side, ratios and whether each is beyond noise;
// - `cwb eval` on each build: the same perplexity (different SIMD paths may differ in the last digits);
// - that the local run bound to the local build's libllama (the files mapped into its worker).
// Options: --threads N (default 1), --reps N (default 5).
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { buildNode, runCwb } from "../test/cli/runCwb.js";
import { referenceModel } from "../test/helpers/referenceModel.js";
import type { BenchReport } from "../src/shared/domain/bench.js";
import type { EvalJobResult } from "../src/shared/domain/eval.js";
import type { Metric } from "../src/shared/domain/run.js";
import type { MetricDifference } from "../src/shared/metrics/metricDifference.js";

const { values } = parseArgs({
  options: { threads: { type: "string", default: "1" }, reps: { type: "string", default: "5" } },
});
/** Relative PPL difference accepted between the builds (the same math, other instruction sets). */
const pplTolerance = 1e-3;

async function cwb(...args: string[]): Promise<string> {
  const result = await runCwb(args);
  if (result.code !== 0) throw new Error(`cwb ${args.join(" ")} failed:\n${result.stderr.slice(-3000)}`);
  return result.stdout;
}

buildNode();
const reference = await referenceModel();
const dataDir = mkdtempSync(path.join(os.tmpdir(), "cwb-local-build-"));
try {
  const started = Date.now();
  const build = JSON.parse(await cwb("--data-dir", dataDir, "--json", "llama", "build")) as {
    folder: string;
    compileSeconds: number | null;
  };
  console.log(
    `# machine build local-${build.folder}: ${build.compileSeconds === null ? "reused" : `compiled in ${build.compileSeconds.toFixed(0)} s`} (job ${((Date.now() - started) / 1000).toFixed(0)} s)`,
  );

  const out = path.join(dataDir, "compare.json");
  await cwb(
    ...["--data-dir", dataDir, "bench", reference.modelPath, "--compare-builds", "--out", out],
    ...["--threads", values.threads!, "--reps", values.reps!, "--pp", "128,512", "--tg", "128"],
  );
  const comparison = JSON.parse(readFileSync(out, "utf8")) as {
    prebuilt: BenchReport;
    local: BenchReport;
    rows: ({ name: string; prebuilt: Metric; local: Metric } & MetricDifference)[];
  };
  const libllama = comparison.local.details.backend?.libraries.filter((file) => file.startsWith("libllama."));
  if (comparison.local.details.backend?.buildType !== "localBuild" || libllama?.length !== 1)
    throw new Error(
      `the local run did not bind to one local libllama: ${JSON.stringify(comparison.local.details.backend)}`,
    );
  console.log(
    `# bench:local-build (${values.threads} threads, ${values.reps} reps, load ${os.loadavg()[0]!.toFixed(1)})`,
  );
  console.log(`local run mapped ${libllama[0]} from ${comparison.local.details.backend.build}`);
  console.log("metric          prebuilt            this machine        local/prebuilt");
  for (const row of comparison.rows.filter((r) => /^(app\.)?(pp|tg)\.\d+$/.test(r.name))) {
    const cell = (m: Metric) => `${m.value.toFixed(0)} ± ${(m.stddev ?? 0).toFixed(0)}`.padEnd(20);
    console.log(
      `${row.name.padEnd(16)}${cell(row.prebuilt)}${cell(row.local)}${row.ratio?.toFixed(2) ?? "?"}x ${row.verdict}`,
    );
  }

  const evalArgs = [
    "eval",
    "--base",
    reference.modelPath,
    "--text",
    reference.evalText.path,
    "--ctx",
    "256",
    "--chunks",
    "16",
  ];
  const ppl = async (llamaBuild: string) =>
    (
      JSON.parse(
        await cwb(
          "--data-dir",
          path.join(dataDir, llamaBuild),
          "--json",
          ...evalArgs,
          "--llama-build",
          llamaBuild,
        ),
      ) as EvalJobResult
    ).basePpl.value;
  const [prebuiltPpl, localPpl] = [await ppl("prebuilt"), await ppl("local")];
  const relative = Math.abs(localPpl - prebuiltPpl) / prebuiltPpl;
  console.log(
    `PPL prebuilt ${prebuiltPpl.toFixed(5)}, this machine ${localPpl.toFixed(5)}: ${(relative * 100).toExponential(2)} % apart`,
  );
  if (relative > pplTolerance)
    throw new Error(`perplexity differs by more than ${pplTolerance} between the builds`);
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
