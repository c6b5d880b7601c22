// npm run bench:speculative [-- --model quick|full --max-tokens 48 --draft-max 4 --reps 3 --threads 2]
// `cwb speculate` next to llama.cpp's own llama-speculative-simple (draft-simple, greedy, draft-min 0,
// p-min 0; compiled against the prebuilt libraries our addon runs) on the reference model (F16 target)
// with drafts Q8_0, Q4_K_M, Q2_K and a pruned (one block dropped, `cwb prune --drop 1`) + Q4_K_M one
// (`cwb quantize`). Prints, per draft: both tools' drafted and accepted counts (they must be equal),
// acceptance rate, mean accepted length, our speedup over the target alone (mean ± sd over reps), both
// tools' tokens/s (theirs run as many times, same threads and context) and their ratio, with the load
// average. The models are tiny and compute-bound: the
// speedups say nothing about memory-bound real sizes.
import { writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import type { SpeculateReport } from "../src/shared/domain/speculate.js";
import { mean, stddev } from "../src/shared/metrics/stats.js";
import { buildNode, runCwb } from "../test/cli/runCwb.js";
import { makeDataDir, removeDataDir } from "../test/jobs/queueHarness.js";
import { referenceModelPath } from "../test/helpers/referenceModel.js";
import { runLlamaSpeculativeSimple } from "../test/speculate/llamaSpeculativeSimple.js";

const { values } = parseArgs({
  options: {
    model: { type: "string", default: "full" },
    "max-tokens": { type: "string", default: "48" },
    "draft-max": { type: "string", default: "4" },
    reps: { type: "string", default: "3" },
    threads: { type: "string", default: "2" },
    prompt: { type: "string", default: "The history of the city begins" },
  },
});
const size = values.model === "quick" ? "quick" : "full";
const maxTokens = Number(values["max-tokens"]);
const draftMax = Number(values["draft-max"]);
const reps = Number(values.reps);
const threads = Number(values.threads);
const spread = (xs: number[]) => ({ mean: mean(xs), stddev: stddev(xs) });
const sd = (v: number | null, digits: number) => (v === null ? "" : ` ± ${v.toFixed(digits)}`);
const load = () =>
  os
    .loadavg()
    .map((v) => v.toFixed(1))
    .join(" / ");

async function cwbJson<T>(dataDir: string, args: string[]): Promise<T> {
  const result = await runCwb(["--data-dir", dataDir, ...args, "--json"]);
  if (result.code !== 0) throw new Error(`cwb ${args[0]} failed: ${result.stderr.slice(-2000)}`);
  return JSON.parse(result.stdout) as T;
}

const quantized = async (dataDir: string, model: string, type: string) =>
  (await cwbJson<{ model: { path: string } }>(dataDir, ["quantize", model, "--type", type])).model.path;

buildNode();
const dataDir = makeDataDir();
try {
  const target = await referenceModelPath(size);
  const calibration = path.join(path.dirname(target), "calibration.txt");
  const pruned = (
    await cwbJson<{ model: { path: string } }>(dataDir, [
      "prune",
      target,
      "--drop",
      "1",
      "--text",
      calibration,
    ])
  ).model.path;
  const drafts: [string, string][] = [
    ["Q8_0", await quantized(dataDir, target, "Q8_0")],
    ["Q4_K_M", await quantized(dataDir, target, "Q4_K_M")],
    ["Q2_K", await quantized(dataDir, target, "Q2_K")],
    ["pruned −1 block + Q4_K_M", await quantized(dataDir, pruned, "Q4_K_M")],
  ];
  const prompts = path.join(dataDir, "prompts.txt");
  writeFileSync(prompts, `${values.prompt}\n`);
  console.log(
    `reference model ${size} (F16 target), prompt "${values.prompt}", ${maxTokens} tokens, draft-max ${draftMax}, ${reps} reps, ${threads} threads, CPU, ${os.cpus().length} cores`,
  );
  const rows: string[] = [];
  for (const [name, draft] of drafts) {
    const loadBefore = load();
    // Theirs as many times as ours, same threads and context, so the tok/s ratio compares means.
    const theirRuns = Array.from({ length: reps }, () =>
      runLlamaSpeculativeSimple({ target, draft, prompt: values.prompt!, maxTokens, draftMax, threads }),
    );
    const theirs = theirRuns[0]!;
    const theirRate = spread(theirRuns.map((r) => r.tokensPerSecond));
    const report = await cwbJson<SpeculateReport>(dataDir, [
      ...["speculate", "--target", target, "--draft", draft, "--prompts", prompts],
      ...[
        "--max-tokens",
        String(maxTokens),
        "--draft-max",
        String(draftMax),
        "--reps",
        String(reps),
        "--threads",
        String(threads),
        "--ctx",
        "512",
        "--gpu",
        "cpu",
      ],
    ]);
    const point = report.points[0]!;
    const c = point.counts;
    const ours = point.speculativeTokensPerSecond;
    rows.push(
      [
        name,
        `${c.drafted} / ${theirs.drafted}`,
        `${c.accepted} / ${theirs.accepted}`,
        c.drafted === theirs.drafted && c.accepted === theirs.accepted ? "equal" : "DIFFER",
        `${(100 * (point.acceptanceRate ?? 0)).toFixed(1)} %`,
        (point.meanAcceptedLength ?? 0).toFixed(2),
        `${point.speedup.mean.toFixed(2)}${sd(point.speedup.stddev, 2)}x`,
        `${ours.mean.toFixed(0)}${sd(ours.stddev, 0)} / ${theirRate.mean.toFixed(0)}${sd(theirRate.stddev, 0)}`,
        (ours.mean / theirRate.mean).toFixed(2),
        `${loadBefore} → ${load()}`,
      ].join(" | "),
    );
    console.log(rows[rows.length - 1]);
  }
  console.log(
    "\n| draft | drafted ours / theirs | accepted ours / theirs | counts | acceptance | mean accepted length | speedup (ours vs target alone) | tok/s ours / theirs | ratio | load (1-min avg, before → after) |",
  );
  console.log("| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | --- |");
  for (const row of rows) console.log(`| ${row} |`);
} finally {
  removeDataDir(dataDir);
}
