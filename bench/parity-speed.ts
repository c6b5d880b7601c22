// npm run bench:speed [-- --model PATH --threads N --reps N --pp 128,512 --tg 128 --batch 512]
// Our speed benchmark (core/bench/speedBench.ts, node-llama-cpp's prebuilt llama.cpp) next to
// llama.cpp's own llama-bench built from the same bundled source (scripts/build-llama-tools.js), at
// the same threads, batch, flash-attention setting and sizes: prompt processing pp<N> at depth 0,
// generation tg<N> after a prompt of the same depth (llama-bench -d). Prints ours / theirs; the
// target is ≥ 0.95. Both run on an otherwise idle machine or the comparison is noise.
import { spawnSync } from "node:child_process";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { benchSettings } from "../src/shared/domain/bench.js";
import { runSpeedBench } from "../src/core/bench/speedBench.js";
import { repoRoot } from "../test/cli/runCwb.js";
import { referenceModelPath } from "../test/helpers/referenceModel.js";

interface LlamaTools {
  buildLlamaTools(options?: { log?: (line: string) => void }): string;
  llamaToolPath(name: string): string | undefined;
}

interface LlamaBenchRow {
  n_prompt: number;
  n_gen: number;
  n_depth?: number;
  avg_ts: number;
  stddev_ts: number;
  n_threads: number;
  flash_attn?: boolean | number;
}

const { values } = parseArgs({
  options: {
    model: { type: "string" },
    threads: { type: "string" },
    reps: { type: "string", default: "5" },
    pp: { type: "string", default: "128,512" },
    tg: { type: "string", default: "128" },
    depth: { type: "string", default: "128" },
    batch: { type: "string", default: "512" },
  },
});

const settings = benchSettings.parse({
  promptLengths: values.pp.split(",").map(Number),
  generateTokens: Number(values.tg),
  generationPromptTokens: Number(values.depth),
  reps: Number(values.reps),
  threads: values.threads === undefined ? null : Number(values.threads),
  batchSize: Number(values.batch),
  gpu: "false",
  gpuLayers: 0,
  warmLoads: 0,
  bandwidthMiB: 1024,
});

const model = values.model ? path.resolve(values.model) : await referenceModelPath();
const [load1] = os.loadavg();
console.log(`model ${model}`);
console.log(
  `load average ${load1!.toFixed(2)} on ${os.availableParallelism()} threads${load1! > 0.5 ? "  (the machine is busy: expect noise)" : ""}\n`,
);

// The tools script is plain JS shared with other scripts; its shape is declared above.
const toolsModule = path.join(repoRoot, "scripts", "build-llama-tools.js");
const tools = (await import(toolsModule)) as LlamaTools;
tools.buildLlamaTools({ log: (line) => console.error(line) });
const llamaBench = tools.llamaToolPath("llama-bench");
if (!llamaBench) throw new Error("llama-bench is missing after building the llama.cpp tools");

console.error("running our benchmark…");
const ours = await runSpeedBench(model, settings, { log: (m) => console.error(m) });
const threads = ours.settings.threads;
const flash = ours.settings.flashAttention === "auto" ? "auto" : ours.settings.flashAttention ? "on" : "off";

function llamaBenchRun(args: string[]): LlamaBenchRow[] {
  const common = [
    "-m",
    model,
    "-t",
    String(threads),
    "-b",
    String(settings.batchSize),
    "-ub",
    String(settings.batchSize),
    "-fa",
    flash,
    "-ngl",
    "0",
    "-r",
    String(settings.reps),
    "-o",
    "json",
  ];
  const result = spawnSync(llamaBench!, [...common, ...args], { encoding: "utf8", maxBuffer: 64 << 20 });
  if (result.status !== 0)
    throw new Error(`llama-bench ${args.join(" ")} failed (${result.status}):\n${result.stderr}`);
  return JSON.parse(result.stdout) as LlamaBenchRow[];
}

console.error("running llama-bench…");
const theirPp = llamaBenchRun(["-p", settings.promptLengths.join(","), "-n", "0"]);
const theirTg = llamaBenchRun([
  "-p",
  "0",
  "-n",
  String(settings.generateTokens),
  "-d",
  String(settings.generationPromptTokens),
]);

const metric = (name: string) => ours.metrics.find((m) => m.name === name);
const rows: { test: string; ours: number; oursSd: number | null; theirs: number; theirsSd: number }[] = [];
for (const length of settings.promptLengths) {
  const o = metric(`pp.${length}`);
  const t = theirPp.find((r) => r.n_prompt === length && r.n_gen === 0);
  if (o && t)
    rows.push({
      test: `pp${length}`,
      ours: o.value,
      oursSd: o.stddev,
      theirs: t.avg_ts,
      theirsSd: t.stddev_ts,
    });
}
const tg = metric(`tg.${settings.generateTokens}`);
const theirGen = theirTg.find((r) => r.n_gen === settings.generateTokens);
if (tg && theirGen) {
  rows.push({
    test: `tg${settings.generateTokens} @ d${settings.generationPromptTokens}`,
    ours: tg.value,
    oursSd: tg.stddev,
    theirs: theirGen.avg_ts,
    theirsSd: theirGen.stddev_ts,
  });
}

const fmt = (v: number, sd: number | null) => `${v.toFixed(1)} ± ${(sd ?? 0).toFixed(1)}`;
console.log(
  `threads ${threads}, batch ${settings.batchSize}, flash attention ${flash}, ${settings.reps} reps, llama.cpp ${ours.llamaBuild}\n`,
);
console.log(
  `${"test".padEnd(16)} ${"ours tok/s".padStart(18)} ${"llama-bench tok/s".padStart(18)} ${"ratio".padStart(7)}`,
);
let below = 0;
for (const r of rows) {
  const ratio = r.ours / r.theirs;
  if (ratio < 0.95) below++;
  console.log(
    `${r.test.padEnd(16)} ${fmt(r.ours, r.oursSd).padStart(18)} ${fmt(r.theirs, r.theirsSd).padStart(18)} ${ratio.toFixed(3).padStart(7)}${ratio < 0.95 ? "  below 0.95" : ""}`,
  );
}
const bw = metric("bandwidth");
const share = metric("tg.bandwidth_share");
if (bw && share)
  console.log(
    `\nmemory bandwidth ${(bw.value / 1e9).toFixed(1)} GB/s; our generation reaches ${(share.value * 100).toFixed(1)} % of its limit`,
  );
console.log(`${below === 0 ? "all ratios ≥ 0.95" : `${below} of ${rows.length} ratios below 0.95`}`);
