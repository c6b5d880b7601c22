// npm run bench:speed [-- --model PATH | --size 1B|3B [--types Q4_K_M,Q8_0]] [--threads N --reps N --rounds N
//                        --pp 128,512 --tg 128 --depth 128 --batch 512 --native --baseline-only]
// Our speed benchmark (worker/bench/speedBench.ts, node-llama-cpp's prebuilt llama.cpp) next to
// llama.cpp's own llama-bench at the same threads, batch, flash-attention setting and sizes: prompt
// processing pp<N> at depth 0, generation tg<N> after a prompt of the same depth (llama-bench -d).
// Our pp and tg are measured with llama-bench's method inside our worker (the model's speed on this
// build); the same tests through node-llama-cpp's API (app.pp, app.tg: greedy sampling and JS round
// trips per token, no persistent thread pool) are printed below as information, with the time that
// path adds per generated token.
// This machine's speed drifts by 10–30 % over minutes (a shared VM), so the comparison runs in rounds,
// ours and llama-bench back to back (order alternating); each round gives a ratio of means, and the
// printed ratio is the median over rounds, with the range.
// The baseline is llama-bench (built from the bundled source by scripts/build-llama-tools.js) run on
// node-llama-cpp's prebuilt library binaries themselves (tools flavour "prebuilt"), so the ratio
// measures our call path and nothing else; the target is ≥ 0.95. Informational columns: the same
// llama-bench on libraries compiled here with node-llama-cpp's cmake options (flavour "release": the
// compiler differs, GCC here against the prebuilt package's) and, with --native or when that build is
// cached, a -march=native + OpenMP build; --baseline-only skips them (minutes each at real sizes).
// Run on an otherwise idle machine or the comparison is noise.
// Every round also probes the memory bandwidth and reads node-llama-cpp's memory estimate and the
// measured peak RSS, so generation's share of the bandwidth limit and the estimate's error are printed
// with their range over rounds, with the load average of each round.
// --size 1B|3B benchmarks random-weight models of Llama 3.2's real shapes (bench/realSizeModels.ts:
// built once and cached), one comparison per quantization type of --types.
import { spawnSync } from "node:child_process";
import { statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { runSpeedBench } from "../src/worker/bench/speedBench.js";
import { loadNative } from "../src/worker/native/loadAddon.js";
import { percentile } from "../src/shared/metrics/stats.js";
import { benchSettings, flashAttentionMode, type BenchReport } from "../src/shared/domain/bench.js";
import { repoRoot } from "../test/cli/runCwb.js";
import { referenceModelPath } from "../test/helpers/referenceModel.js";
import { gb, range, shownPath } from "./format.js";
import { isRealSize, realSizeModels, realSizes } from "./realSizeModels.js";

type Flavour = "release" | "native" | "prebuilt";
interface LlamaTools {
  buildLlamaTools(options?: { log?: (line: string) => void; flavour?: Flavour }): string;
  llamaToolPath(name: string, flavour?: Flavour): string | undefined;
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
    size: { type: "string" },
    types: { type: "string", default: "Q4_K_M,Q8_0" },
    threads: { type: "string" },
    reps: { type: "string", default: "5" },
    rounds: { type: "string", default: "3" },
    pp: { type: "string", default: "128,512" },
    tg: { type: "string", default: "128" },
    depth: { type: "string", default: "128" },
    batch: { type: "string", default: "512" },
    native: { type: "boolean", default: false },
    "baseline-only": { type: "boolean", default: false },
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

// The models: one file, the reference model, or the real-size models of --size (built when missing).
let models: string[];
if (values.size !== undefined) {
  if (values.model) throw new Error("--model and --size exclude each other");
  const size = values.size.toUpperCase();
  if (!isRealSize(size)) throw new Error(`--size: one of ${realSizes.join(", ")}`);
  const { addon } = await loadNative(settings);
  const types = values.types.split(",").filter(Boolean);
  models = (await realSizeModels(size, types, addon)).map((m) => m.path);
} else {
  models = [values.model ? path.resolve(values.model) : await referenceModelPath()];
}

// The tools script is plain JS shared with other scripts; its shape is declared above.
const toolsModule = path.join(repoRoot, "scripts", "build-llama-tools.js");
const tools = (await import(toolsModule)) as LlamaTools;
tools.buildLlamaTools({ log: (line) => console.error(line), flavour: "prebuilt" });
const llamaBench = tools.llamaToolPath("llama-bench", "prebuilt");
const releaseLlamaBench = tools.llamaToolPath("llama-bench", "release");
if (!llamaBench || !releaseLlamaBench)
  throw new Error("llama-bench is missing after building the llama.cpp tools");
if (values.native) tools.buildLlamaTools({ log: (line) => console.error(line), flavour: "native" });
const nativeLlamaBench = tools.llamaToolPath("llama-bench", "native");

type OurReport = Omit<BenchReport, "runId" | "modelId">;

/** llama-bench with the settings our run resolved (threads, batch, flash attention). */
function llamaBenchRun(binary: string, model: string, ours: OurReport, args: string[]): LlamaBenchRow[] {
  const flash = flashAttentionMode(ours.settings.flashAttention);
  const batch = String(settings.batchSize);
  const common = ["-m", model, "-t", String(ours.settings.threads), "-b", batch, "-ub", batch, "-fa", flash];
  common.push("-ngl", "0", "-r", String(settings.reps), "-o", "json");
  const result = spawnSync(binary, [...common, ...args], { encoding: "utf8", maxBuffer: 64 << 20 });
  // The JSON is complete before exit; a crash while unloading the libraries does not void it.
  const start = result.stdout.indexOf("[");
  if (start < 0) {
    throw new Error(
      `llama-bench ${args.join(" ")} failed (${result.status ?? result.signal}):\n${result.stderr}`,
    );
  }
  return JSON.parse(result.stdout.slice(start)) as LlamaBenchRow[];
}

const ppArgs = ["-p", settings.promptLengths.join(","), "-n", "0"];
const tgArgs = [
  "-p",
  "0",
  "-n",
  String(settings.generateTokens),
  "-d",
  String(settings.generationPromptTokens),
];
const llamaBenchAll = (binary: string, model: string, ours: OurReport): LlamaBenchRow[] => [
  ...llamaBenchRun(binary, model, ours, ppArgs),
  ...llamaBenchRun(binary, model, ours, tgArgs),
];

interface Test {
  name: string;
  metric: string;
  matches: (row: LlamaBenchRow) => boolean;
}
const tests: Test[] = [
  ...settings.promptLengths.map((length) => ({
    name: `pp${length}`,
    metric: `pp.${length}`,
    matches: (r: LlamaBenchRow) => r.n_prompt === length && r.n_gen === 0,
  })),
  {
    name: `tg${settings.generateTokens} @ d${settings.generationPromptTokens}`,
    metric: `tg.${settings.generateTokens}`,
    matches: (r: LlamaBenchRow) => r.n_gen === settings.generateTokens,
  },
];
const tgTest = tests[tests.length - 1]!;

interface Round {
  ours: OurReport;
  theirs: LlamaBenchRow[];
  /** 1-minute load average when the round ended. */
  load: number;
}

const metricOf = (report: OurReport, name: string) => report.metrics.find((m) => m.name === name);
const median = (values: number[]) => percentile(values, 50);
const tokS = (v: number) => v.toFixed(1);
const percent = (ratio: number) => `${(ratio * 100).toFixed(1)} %`;
const signedPercent = (ratio: number) => `${ratio >= 0 ? "+" : "−"}${Math.abs(ratio * 100).toFixed(1)} %`;

/** The whole comparison for one model; returns how many ratios are below the target. */
async function compareModel(model: string, realSize: boolean): Promise<number> {
  const [loadStart1, loadStart5] = os.loadavg();
  console.log(`model ${shownPath(model)} (${gb(statSync(model).size)})`);
  console.log(
    `load average ${loadStart1!.toFixed(2)} (5 min ${loadStart5!.toFixed(2)}) on ${os.availableParallelism()} threads` +
      `${loadStart1! > 0.5 ? "  (the machine is busy: expect noise)" : ""}\n`,
  );

  const rounds: Round[] = [];
  const roundCount = Math.max(1, Number(values.rounds));
  for (let round = 0; round < roundCount; round++) {
    console.error(
      `round ${round + 1}/${roundCount}: our benchmark and llama-bench on node-llama-cpp's libraries…`,
    );
    // The bandwidth probe runs in every round (a few seconds), so the share of it has a spread too.
    // Real sizes take minutes per round: every finished step is logged.
    const runOurs = () =>
      runSpeedBench(
        model,
        { ...settings, bandwidth: true },
        { log: (m) => console.error(m), onProgress: (_, step) => console.error(`  ${step}`) },
      );
    if (round % 2 === 0) {
      const ours = await runOurs();
      rounds.push({ ours, theirs: llamaBenchAll(llamaBench!, model, ours), load: os.loadavg()[0]! });
    } else {
      const theirs = llamaBenchAll(llamaBench!, model, rounds[0]!.ours);
      rounds.push({ ours: await runOurs(), theirs, load: os.loadavg()[0]! });
    }
  }
  const first = rounds[0]!.ours;

  // Informational columns: other compilations of the same source (skipped by --baseline-only).
  const others = !values["baseline-only"];
  let releaseRows: LlamaBenchRow[] = [];
  if (others) {
    console.error("running llama-bench on libraries compiled here (same cmake options)…");
    releaseRows = llamaBenchAll(releaseLlamaBench!, model, first);
  }
  let nativeRows: LlamaBenchRow[] = [];
  if (others && nativeLlamaBench) {
    console.error("running llama-bench (-march=native, OpenMP)…");
    nativeRows = llamaBenchAll(nativeLlamaBench, model, first);
  }

  console.log(
    `threads ${first.settings.threads}, batch ${settings.batchSize}, flash attention ${flashAttentionMode(first.settings.flashAttention)}, ` +
      `${settings.reps} reps × ${rounds.length} rounds, llama.cpp ${first.llamaBuild}\n`,
  );
  console.log(
    `${"test".padEnd(16)} ${"ours tok/s".padStart(11)} ${"llama-bench".padStart(11)} ${"ratio".padStart(7)} ${"rounds".padStart(13)}` +
      (others ? `  ${"libs built here".padStart(15)} ${"ours/that".padStart(9)}` : "") +
      (others && nativeLlamaBench ? ` ${"native build".padStart(12)} ${"ours/that".padStart(9)}` : ""),
  );
  interface Comparison {
    ours: number;
    theirs: number;
    ratio: number;
    range: string;
  }
  /** Per round ours / llama-bench of one test; medians over the rounds. */
  function compare(metric: string, test: Test): Comparison | null {
    const ours: number[] = [];
    const theirs: number[] = [];
    const ratios: number[] = [];
    for (const round of rounds) {
      const o = metricOf(round.ours, metric);
      const t = round.theirs.find(test.matches);
      if (!o || !t) continue;
      ours.push(o.value);
      theirs.push(t.avg_ts);
      ratios.push(o.value / t.avg_ts);
    }
    if (ratios.length === 0) return null;
    return {
      ours: median(ours),
      theirs: median(theirs),
      ratio: median(ratios),
      range: range(ratios, (v) => v.toFixed(2)),
    };
  }
  const row = (name: string, c: Comparison, mark: string) =>
    `${name.padEnd(16)} ${tokS(c.ours).padStart(11)} ${tokS(c.theirs).padStart(11)} ${c.ratio.toFixed(3).padStart(7)}${mark}${c.range.padStart(13)}`;

  let below = 0;
  for (const test of tests) {
    const c = compare(test.metric, test);
    if (!c) continue;
    if (c.ratio < 0.95) below++;
    const informational = (rows: LlamaBenchRow[], width: number) => {
      const r = rows.find(test.matches);
      return r
        ? `${tokS(r.avg_ts).padStart(width)} ${(c.ours / r.avg_ts).toFixed(3).padStart(9)}`
        : "".padStart(width + 10);
    };
    console.log(
      row(test.name, c, c.ratio < 0.95 ? "*" : " ") +
        (others ? `  ${informational(releaseRows, 15)}` : "") +
        (others && nativeLlamaBench ? ` ${informational(nativeRows, 12)}` : ""),
    );
  }
  console.log(
    "(tok/s: medians over rounds; ratio: median of the rounds' ours / llama-bench on the same prebuilt library binaries, " +
      `* below the 0.95 target${others ? "; other columns are informational: other compilations of the same source" : ""})`,
  );

  // Generation against the memory-bandwidth ceiling, per round: that round's probe and tg.
  const bandwidths: number[] = [];
  const shares: number[] = [];
  const theirShares: number[] = [];
  for (const round of rounds) {
    const limit = metricOf(round.ours, "tg.bandwidth_limit");
    const share = metricOf(round.ours, "tg.bandwidth_share");
    const theirs = round.theirs.find(tgTest.matches);
    const bw = metricOf(round.ours, "bandwidth");
    if (bw) bandwidths.push(bw.value);
    if (share) shares.push(share.value);
    if (limit && theirs) theirShares.push(theirs.avg_ts / limit.value);
  }
  const bytesPerToken = metricOf(first, "weights.bytes_per_token")?.value ?? 0;
  // The goals are for models of real size: ≥ 85 % of the bandwidth from 1 GB up (smaller weights
  // partly stay in the CPU's caches), the memory estimate within 10 % for --size models too.
  const large = statSync(model).size >= 1e9;
  const memoryGoal = large || realSize;
  if (shares.length > 0) {
    console.log(
      `\nmemory bandwidth ${(median(bandwidths) / 1e9).toFixed(1)} GB/s (rounds ${range(bandwidths, (v) => (v / 1e9).toFixed(1))}); ` +
        `${gb(bytesPerToken)} of weights read per generated token`,
    );
    console.log(
      `our generation reaches ${percent(median(shares))} of that limit (rounds ${range(shares, percent)})` +
        (theirShares.length > 0
          ? `, llama-bench's ${percent(median(theirShares))} (rounds ${range(theirShares, percent)})`
          : "") +
        (large ? `; goal ≥ 85 %${median(shares) < 0.85 ? ": MISSED" : ": met"}` : ""),
    );
  }

  // node-llama-cpp's estimate against what the model and context added to the process's peak RSS.
  const estimates: number[] = [];
  const measured: number[] = [];
  const errors: number[] = [];
  for (const round of rounds) {
    const estimate = metricOf(round.ours, "memory.estimate");
    const used = metricOf(round.ours, "memory.model_context");
    const error = metricOf(round.ours, "memory.estimate_error");
    if (estimate && used && error) {
      estimates.push(estimate.value);
      measured.push(used.value);
      errors.push(error.value);
    }
  }
  if (errors.length > 0) {
    const error = median(errors);
    console.log(
      `memory: node-llama-cpp's estimate ${gb(median(estimates))}, measured peak RSS above the baseline ` +
        `${gb(median(measured))} (rounds ${range(measured, gb)}): estimate ${signedPercent(error)} ` +
        `(rounds ${range(errors, signedPercent)})` +
        (memoryGoal ? `; goal within ±10 %${Math.abs(error) > 0.1 ? ": MISSED" : ": met"}` : ""),
    );
  }

  console.log("\nthe same tests through node-llama-cpp's API (what an app gets; information, not a target):");
  for (const test of tests) {
    const c = compare(`app.${test.metric}`, test);
    if (c) console.log(row(`app ${test.name}`, c, " "));
  }
  const overheads = rounds.flatMap((round) => metricOf(round.ours, "app.tg.overhead")?.value ?? []);
  if (overheads.length > 0) {
    console.log(
      `node-llama-cpp's generation path adds ${median(overheads).toFixed(3)} ms per token (sampling call, JS round trips, no persistent thread pool)`,
    );
  }
  console.log(
    `load average (1 min) at the end of each round: ${rounds.map((r) => r.load.toFixed(2)).join(", ")}; ` +
      `now ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(" / ")} (1 / 5 / 15 min)`,
  );
  console.log(`${below === 0 ? "all ratios ≥ 0.95" : `${below} of ${tests.length} ratios below 0.95`}\n`);
  return below;
}

let below = 0;
for (const model of models) below += await compareModel(model, values.size !== undefined);
if (models.length > 1)
  console.log(
    `${below === 0 ? "all ratios ≥ 0.95" : `${below} ratios below 0.95`} over ${models.length} models`,
  );
