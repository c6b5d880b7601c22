// npm run bench:speed [-- --model PATH --threads N --reps N --pp 128,512 --tg 128 --batch 512]
// Our speed benchmark (core/bench/speedBench.ts, node-llama-cpp's prebuilt llama.cpp) next to
// llama.cpp's own llama-bench built from the same bundled source (scripts/build-llama-tools.js), at
// the same threads, batch, flash-attention setting and sizes: prompt processing pp<N> at depth 0,
// generation tg<N> after a prompt of the same depth (llama-bench -d). Prints ours / theirs; the
// target is ≥ 0.95. Both run on an otherwise idle machine or the comparison is noise.
// On Linux a third column runs the same llama-bench against node-llama-cpp's prebuilt libraries
// (symlinked under the sonames llama-bench wants), which separates what our JS path costs from what
// the prebuilt CPU build costs compared with a -march=native build.
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from "node:fs";
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

interface LlamaSource {
  prebuiltCpuBinsDir(): string;
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

/** llama-bench (from our tools build) made to load node-llama-cpp's prebuilt libraries; Linux only. */
function llamaBenchOnPrebuiltLibs(dir: string, binsDir: string): BenchBinary | null {
  if (process.platform !== "linux") return null;
  const impl = path.join(path.dirname(llamaBench!), "libllama-bench-impl.so");
  if (!existsSync(impl)) return null;
  const files = readdirSync(binsDir);
  for (const file of files) symlinkSync(path.join(binsDir, file), path.join(dir, file));
  const aliases: [string, RegExp][] = [
    ["libllama.so.0", /^libllama\.v[\d.]+\.so$/],
    ["libggml.so.0", /^libggml\.v[\d.]+\.so$/],
    ["libggml-base.so.0", /^libggml-base\.so$/],
    ["libllama-common.so.0", /^libllama-common\.so$/],
  ];
  for (const [alias, pattern] of aliases) {
    const target = files.find((f) => pattern.test(f));
    if (!target) return null;
    symlinkSync(path.join(binsDir, target), path.join(dir, alias));
  }
  // Copied next to the prebuilt CPU variants: ggml looks for its backends beside the executable.
  copyFileSync(llamaBench!, path.join(dir, "llama-bench"));
  copyFileSync(impl, path.join(dir, "libllama-bench-impl.so"));
  return { path: path.join(dir, "llama-bench"), env: { ...process.env, LD_LIBRARY_PATH: dir } };
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
console.error("running llama-bench…");
const nativeBuild: BenchBinary = { path: llamaBench, env: process.env };
const theirPp = llamaBenchRun(nativeBuild, ppArgs);
const theirTg = llamaBenchRun(nativeBuild, tgArgs);

const scratch = mkdtempSync(path.join(os.tmpdir(), "cwb-llama-bench-prebuilt-"));
let prebuiltPp: LlamaBenchRow[] = [];
let prebuiltTg: LlamaBenchRow[] = [];
try {
  const source = (await import(path.join(repoRoot, "scripts", "llamaSource.js"))) as LlamaSource;
  const prebuilt = llamaBenchOnPrebuiltLibs(scratch, source.prebuiltCpuBinsDir());
  if (prebuilt) {
    console.error("running llama-bench on node-llama-cpp's prebuilt libraries…");
    prebuiltPp = llamaBenchRun(prebuilt, ppArgs);
    prebuiltTg = llamaBenchRun(prebuilt, tgArgs);
  }
} catch (error) {
  console.error(`llama-bench on the prebuilt libraries failed: ${(error as Error).message}`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

interface Row {
  test: string;
  ours: number;
  oursSd: number | null;
  theirs: number;
  theirsSd: number;
  prebuilt: LlamaBenchRow | undefined;
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
      prebuilt: prebuiltPp.find(isPp),
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
    prebuilt: prebuiltTg.find(isTg),
  });
}

const fmt = (v: number, sd: number | null) => `${v.toFixed(1)} ± ${(sd ?? 0).toFixed(1)}`;
console.log(
  `threads ${threads}, batch ${settings.batchSize}, flash attention ${flash}, ${settings.reps} reps, llama.cpp ${ours.llamaBuild}\n`,
);
console.log(
  `${"test".padEnd(16)} ${"ours tok/s".padStart(18)} ${"llama-bench tok/s".padStart(18)} ${"ratio".padStart(7)}  ` +
    `${"llama-bench, prebuilt libs".padStart(26)} ${"ours/that".padStart(9)}`,
);
let below = 0;
for (const r of rows) {
  const ratio = r.ours / r.theirs;
  if (ratio < 0.95) below++;
  const pre = r.prebuilt
    ? `${fmt(r.prebuilt.avg_ts, r.prebuilt.stddev_ts).padStart(26)} ${(r.ours / r.prebuilt.avg_ts).toFixed(3).padStart(9)}`
    : "";
  console.log(
    `${r.test.padEnd(16)} ${fmt(r.ours, r.oursSd).padStart(18)} ${fmt(r.theirs, r.theirsSd).padStart(18)} ${ratio.toFixed(3).padStart(7)}${ratio < 0.95 ? "*" : " "} ${pre}`,
  );
}
console.log("(* below the 0.95 target)");
const bw = metric("bandwidth");
const share = metric("tg.bandwidth_share");
if (bw && share) {
  console.log(
    `\nmemory bandwidth ${(bw.value / 1e9).toFixed(1)} GB/s; our generation reaches ${(share.value * 100).toFixed(1)} % of its limit`,
  );
}
console.log(`${below === 0 ? "all ratios ≥ 0.95" : `${below} of ${rows.length} ratios below 0.95`}`);
