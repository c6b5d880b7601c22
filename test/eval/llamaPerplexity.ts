// Runs llama.cpp's own llama-perplexity (built from the bundled source by scripts/build-llama-tools.js)
// and reads its figures, for parity checks against `cwb eval`. Used by test/eval/parity.test.ts and
// bench/parity-eval.ts.
import { spawn } from "node:child_process";
// @ts-expect-error -- plain JS build script without type declarations
import { buildLlamaTools, llamaToolPath } from "../../scripts/build-llama-tools.js";

export interface TheirPerplexity {
  ppl: number;
  pplUncertainty: number;
  seconds: number;
  output: string;
}

export interface TheirKld {
  ppl: number;
  pplUncertainty: number;
  basePpl: number;
  pplRatio: number;
  pplDelta: number;
  kldMean: number;
  kldUncertainty: number;
  kldMedian: number;
  kldP99: number;
  kldP999: number;
  kldMax: number;
  /** Percent, as printed. */
  sameTop: number;
  rmsDp: number;
  seconds: number;
  output: string;
}

export interface PerplexityArgs {
  model: string;
  contextSize: number;
  chunks: number;
  batchSize?: number;
  threads?: number;
  /**
   * Which build of the tools (scripts/build-llama-tools.js): "prebuilt" (default: the tools'
   * own sources compiled against node-llama-cpp's library binaries, what our passes run), "release"
   * (llama.cpp's libraries built here too, with node-llama-cpp's cmake options) or "native" (-march=native, OpenMP).
   */
  flavour?: ToolFlavour;
}

export type ToolFlavour = "release" | "prebuilt" | "native";
type ToolPath = (name: string, flavour?: ToolFlavour) => string | undefined;

/** The llama-perplexity binary, building the tools first when the cache is empty (under a minute for "prebuilt"). */
export function llamaPerplexityBinary(flavour: ToolFlavour = "prebuilt"): string {
  let bin = (llamaToolPath as ToolPath)("llama-perplexity", flavour);
  if (!bin) {
    (buildLlamaTools as (o: { log: (s: string) => void; flavour: ToolFlavour }) => string)({
      log: (s) => process.stderr.write(`${s}\n`),
      flavour,
    });
    bin = (llamaToolPath as ToolPath)("llama-perplexity", flavour);
  }
  if (!bin) throw new Error("llama-perplexity is not available after building the tools");
  return bin;
}

export function llamaQuantizeBinary(): string {
  llamaPerplexityBinary();
  const bin = (llamaToolPath as ToolPath)("llama-quantize", "prebuilt");
  if (!bin) throw new Error("llama-quantize is not available");
  return bin;
}

export function run(bin: string, args: string[]): Promise<{ output: string; seconds: number }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(bin, args, { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code === 0) resolve({ output, seconds: (Date.now() - started) / 1000 });
      else reject(new Error(`${bin} ${args.join(" ")} exited with ${code}:\n${output.slice(-3000)}`));
    });
  });
}

/**
 * llama-perplexity prints through llama.cpp's asynchronous logger, which sometimes loses the last
 * lines when the process exits (seen about one run in four through a pipe). Runs are deterministic,
 * so a run whose output lacks its final line is repeated.
 */
async function runComplete(
  bin: string,
  args: string[],
  lastLine: RegExp,
): Promise<{ output: string; seconds: number }> {
  let last: { output: string; seconds: number } | undefined;
  for (let attempt = 0; attempt < 5; attempt++) {
    last = await run(bin, args);
    if (lastLine.test(last.output)) return last;
  }
  return last!;
}

function common(a: PerplexityArgs): string[] {
  return [
    "-m",
    a.model,
    "-c",
    String(a.contextSize),
    "--chunks",
    String(a.chunks),
    "-b",
    String(a.batchSize ?? 2048),
    "-t",
    String(a.threads ?? 2),
    "-ngl",
    "0",
  ];
}

function number(output: string, re: RegExp, what: string): number {
  const m = re.exec(output);
  if (!m?.[1]) throw new Error(`llama-perplexity output has no ${what}:\n${output.slice(-2000)}`);
  return Number(m[1]);
}

const f = String.raw`(-?[\d.]+(?:e[-+]?\d+)?|nan|inf)`;

/** Plain perplexity; with saveBaseTo it also writes its 16-bit full-vocabulary base file (--kl-divergence-base). */
export async function theirPerplexity(
  a: PerplexityArgs & { text: string; saveBaseTo?: string },
): Promise<TheirPerplexity> {
  const args = [...common(a), "-f", a.text, ...(a.saveBaseTo ? ["--kl-divergence-base", a.saveBaseTo] : [])];
  const { output, seconds } = await runComplete(
    llamaPerplexityBinary(a.flavour),
    args,
    /Final estimate: PPL/,
  );
  return {
    ppl: number(output, new RegExp(String.raw`Final estimate: PPL = ${f}`), "final PPL"),
    pplUncertainty: number(
      output,
      new RegExp(String.raw`Final estimate: PPL = [\d.]+ \+/- ${f}`),
      "PPL uncertainty",
    ),
    seconds,
    output,
  };
}

/** KL divergence of `model` against a base file written by theirPerplexity({saveBaseTo}). */
export async function theirKld(a: PerplexityArgs & { baseFile: string }): Promise<TheirKld> {
  const args = [...common(a), "--kl-divergence-base", a.baseFile, "--kl-divergence"];
  const { output, seconds } = await runComplete(llamaPerplexityBinary(a.flavour), args, /Same top p:/);
  const g = (label: string, what: string): number =>
    number(output, new RegExp(`${label}\\s*:\\s*${f}`), what);
  return {
    ppl: g(String.raw`Mean PPL\(Q\)`, "PPL(Q)"),
    pplUncertainty: number(
      output,
      new RegExp(String.raw`Mean PPL\(Q\)\s*:\s*[\d.]+ ±\s*${f}`),
      "PPL(Q) uncertainty",
    ),
    basePpl: g(String.raw`Mean PPL\(base\)`, "PPL(base)"),
    pplRatio: g(String.raw`Mean PPL\(Q\)/PPL\(base\)`, "PPL ratio"),
    pplDelta: g(String.raw`Mean PPL\(Q\)-PPL\(base\)`, "PPL delta"),
    kldMean: g(String.raw`Mean    KLD`, "mean KLD"),
    kldUncertainty: number(output, new RegExp(String.raw`Mean    KLD:\s*[\d.]+ ±\s*${f}`), "KLD uncertainty"),
    kldMedian: g(String.raw`Median  KLD`, "median KLD"),
    kldP99: g(String.raw`99\.0%   KLD`, "p99 KLD"),
    kldP999: g(String.raw`99\.9%   KLD`, "p99.9 KLD"),
    kldMax: g(String.raw`Maximum KLD`, "max KLD"),
    sameTop: g(String.raw`Same top p`, "same top"),
    rmsDp: g(String.raw`RMS Δp    `, "RMS Δp"),
    seconds,
    output,
  };
}
