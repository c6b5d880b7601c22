// npm run bench:speed [-- --model PATH --threads N --reps N --pp 128,512 --tg 128 --batch 512 --native]
// Our speed benchmark (core/bench/speedBench.ts, node-llama-cpp's prebuilt llama.cpp) next to
// llama.cpp's own llama-bench at the same threads, batch, flash-attention setting and sizes: prompt
// processing pp<N> at depth 0, generation tg<N> after a prompt of the same depth (llama-bench -d).
// The baseline is llama-bench (built from the bundled source by scripts/build-llama-tools.js) run on
// node-llama-cpp's prebuilt library binaries themselves (tools flavour "prebuilt"), so the ratio
// measures our call path and nothing else; the target is ≥ 0.95. Informational columns: the same
// llama-bench on libraries compiled here with node-llama-cpp's cmake options (flavour "release": the
// compiler differs, GCC here against the prebuilt package's) and, with --native or when that build is
// cached, a -march=native + OpenMP build. Run on an otherwise idle machine or the comparison is noise.
import { spawnSync } from "node:child_process";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { benchSettings } from "../src/shared/domain/bench.js";
import { runSpeedBench } from "../src/core/bench/speedBench.js";
import { repoRoot } from "../test/cli/runCwb.js";
import { referenceModelPath } from "../test/helpers/referenceModel.js";

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
    threads: { type: "string" },
    reps: { type: "string", default: "5" },
    pp: { type: "string", default: "128,512" },
    tg: { type: "string", default: "128" },
    depth: { type: "string", default: "128" },
    batch: { type: "string", default: "512" },
    native: { type: "boolean", default: false },
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
tools.buildLlamaTools({ log: (line) => console.error(line), flavour: "prebuilt" });
const llamaBench = tools.llamaToolPath("llama-bench", "prebuilt");
const releaseLlamaBench = tools.llamaToolPath("llama-bench", "release");
if (!llamaBench || !releaseLlamaBench)
  throw new Error("llama-bench is missing after building the llama.cpp tools");
if (values.native) tools.buildLlamaTools({ log: (line) => console.error(line), flavour: "native" });
const nativeLlamaBench = tools.llamaToolPath("llama-bench", "native");

console.error("running our benchmark…");
const ours = await runSpeedBench(model, settings, { log: (m) => console.error(m) });
const threads = ours.settings.threads;
const flash = ours.settings.flashAttention === "auto" ? "auto" : ours.settings.flashAttention ? "on" : "off";

interface BenchBinary {
  path: string;
  env: NodeJS.ProcessEnv;
}

function llamaBenchRun(binary: BenchBinary, args: string[]): LlamaBenchRow[] {
  const common = [
    "-m",
    model,
    "-t",
    String(threads),
    "-b",
    String(settings.batchSize),
    "-ub",
    String(settings.batchSize),
  ];
  common.push("-fa", flash, "-ngl", "0", "-r", String(settings.reps), "-o", "json");
  const result = spawnSync(binary.path, [...common, ...args], {
    encoding: "utf8",
    maxBuffer: 64 << 20,
    env: binary.env,
  });
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
console.error("running llama-bench on node-llama-cpp's prebuilt libraries…");
const prebuiltBuild: BenchBinary = { path: llamaBench, env: process.env };
const theirPp = llamaBenchRun(prebuiltBuild, ppArgs);
const theirTg = llamaBenchRun(prebuiltBuild, tgArgs);
console.error("running llama-bench on libraries compiled here (same cmake options)…");
const releaseBuild: BenchBinary = { path: releaseLlamaBench, env: process.env };
const releasePp = llamaBenchRun(releaseBuild, ppArgs);
const releaseTg = llamaBenchRun(releaseBuild, tgArgs);
let nativePp: LlamaBenchRow[] = [];
let nativeTg: LlamaBenchRow[] = [];
if (nativeLlamaBench) {
  console.error("running llama-bench (-march=native, OpenMP)…");
  const nativeBuild: BenchBinary = { path: nativeLlamaBench, env: process.env };
  nativePp = llamaBenchRun(nativeBuild, ppArgs);
  nativeTg = llamaBenchRun(nativeBuild, tgArgs);
}

interface Row {
  test: string;
  ours: number;
  oursSd: number | null;
  theirs: number;
  theirsSd: number;
  release: LlamaBenchRow | undefined;
  native: LlamaBenchRow | undefined;
}
const metric = (name: string) => ours.metrics.find((m) => m.name === name);
const rows: Row[] = [];
for (const length of settings.promptLengths) {
  const o = metric(`pp.${length}`);
  const isPp = (r: LlamaBenchRow) => r.n_prompt === length && r.n_gen === 0;
  const t = theirPp.find(isPp);
  if (o && t) {
    rows.push({
      test: `pp${length}`,
      ours: o.value,
      oursSd: o.stddev,
      theirs: t.avg_ts,
      theirsSd: t.stddev_ts,
      release: releasePp.find(isPp),
      native: nativePp.find(isPp),
    });
  }
}
const tg = metric(`tg.${settings.generateTokens}`);
const isTg = (r: LlamaBenchRow) => r.n_gen === settings.generateTokens;
const theirGen = theirTg.find(isTg);
if (tg && theirGen) {
  rows.push({
    test: `tg${settings.generateTokens} @ d${settings.generationPromptTokens}`,
    ours: tg.value,
    oursSd: tg.stddev,
    theirs: theirGen.avg_ts,
    theirsSd: theirGen.stddev_ts,
    release: releaseTg.find(isTg),
    native: nativeTg.find(isTg),
  });
}

const fmt = (v: number, sd: number | null) => `${v.toFixed(1)} ± ${(sd ?? 0).toFixed(1)}`;
console.log(
  `threads ${threads}, batch ${settings.batchSize}, flash attention ${flash}, ${settings.reps} reps, llama.cpp ${ours.llamaBuild}\n`,
);
console.log(
  `${"test".padEnd(16)} ${"ours tok/s".padStart(18)} ${"llama-bench tok/s".padStart(18)} ${"ratio".padStart(7)}  ` +
    `${"llama-bench, libs built here".padStart(28)} ${"ours/that".padStart(9)}` +
    (nativeLlamaBench ? ` ${"llama-bench, native".padStart(20)} ${"ours/that".padStart(9)}` : ""),
);
let below = 0;
for (const r of rows) {
  const ratio = r.ours / r.theirs;
  if (ratio < 0.95) below++;
  const pre = r.release
    ? `${fmt(r.release.avg_ts, r.release.stddev_ts).padStart(28)} ${(r.ours / r.release.avg_ts).toFixed(3).padStart(9)}`
    : "".padStart(38);
  const nat = r.native
    ? ` ${fmt(r.native.avg_ts, r.native.stddev_ts).padStart(20)} ${(r.ours / r.native.avg_ts).toFixed(3).padStart(9)}`
    : "";
  console.log(
    `${r.test.padEnd(16)} ${fmt(r.ours, r.oursSd).padStart(18)} ${fmt(r.theirs, r.theirsSd).padStart(18)} ${ratio.toFixed(3).padStart(7)}${ratio < 0.95 ? "*" : " "} ${pre}${nat}`,
  );
}
console.log(
  "(ratio: ours / llama-bench on the same prebuilt library binaries; * below the 0.95 target. " +
    "Other columns are informational: other compilations of the same source)",
);
const bw = metric("bandwidth");
const share = metric("tg.bandwidth_share");
if (bw && share) {
  console.log(
    `\nmemory bandwidth ${(bw.value / 1e9).toFixed(1)} GB/s; our generation reaches ${(share.value * 100).toFixed(1)} % of its limit`,
  );
}
console.log(`${below === 0 ? "all ratios ≥ 0.95" : `${below} of ${rows.length} ratios below 0.95`}`);
