// Real llama-bench output for the tests: the prebuilt-flavour llama-bench (the one the parity
// benchmarks use) on the reference model, with tiny tests. `-o A -oe B` prints one measurement in two
// formats (B on stderr, after llama.cpp's log lines), so the formats can be compared number by number.
import { spawnSync } from "node:child_process";
import path from "node:path";
// @ts-expect-error -- plain JS build script without type declarations
import { buildLlamaTools, llamaToolPath } from "../../scripts/build-llama-tools.js";
import { referenceModelPath } from "../helpers/referenceModel.js";

type Format = "json" | "jsonl" | "csv" | "md";
type ToolPath = (name: string, flavour?: string) => string | undefined;

/** The prebuilt-flavour llama-bench, built on first use. */
export function llamaBenchBinary(): string {
  let bin = (llamaToolPath as ToolPath)("llama-bench", "prebuilt");
  if (!bin) {
    (buildLlamaTools as (o: { log: (s: string) => void; flavour: string }) => string)({
      log: (s) => process.stderr.write(`${s}\n`),
      flavour: "prebuilt",
    });
    bin = (llamaToolPath as ToolPath)("llama-bench", "prebuilt");
  }
  if (!bin) throw new Error("llama-bench is not available after building the tools");
  return bin;
}

/** pp16 and tg4, 2 repetitions, 1 thread, for each model; stdout and stderr as printed. */
function llamaBench(models: readonly string[], outputArgs: readonly string[]): { out: string; err: string } {
  const modelArgs = models.flatMap((model) => ["-m", model]);
  const args = [...modelArgs, "-p", "16", "-n", "4", "-r", "2", "-t", "1", ...outputArgs];
  const result = spawnSync(llamaBenchBinary(), args, { encoding: "utf8", timeout: 120_000 });
  if (result.status !== 0) throw new Error(`llama-bench ${args.join(" ")} failed:\n${result.stderr}`);
  return { out: result.stdout, err: result.stderr };
}

/** One llama-bench measurement of the reference model printed as `out` and as `err`. */
export async function llamaBenchTwice(out: Format, err: Format): Promise<{ out: string; err: string }> {
  return llamaBench([await referenceModelPath()], ["-o", out, "-oe", err]);
}

/** llama-bench's JSON for the given GGUF files, as a device would send it back. */
export function llamaBenchJson(models: readonly string[]): string {
  return llamaBench(models, ["-o", "json"]).out;
}

/**
 * Runs an export bundle's bench-on-device.sh here with this llama-bench and a short workload (its
 * environment overrides: 16 prompt tokens, 4 generated, 2 repetitions), writing `resultsFile`.
 */
export function runBundleBenchScript(bundleDir: string, resultsFile: string): void {
  const bench = spawnSync("sh", [path.join(bundleDir, "bench-on-device.sh"), resultsFile], {
    encoding: "utf8",
    timeout: 300_000,
    env: {
      ...process.env,
      LLAMA_BENCH: llamaBenchBinary(),
      CWB_BENCH_PROMPT: "16",
      CWB_BENCH_GENERATE: "4",
      CWB_BENCH_REPETITIONS: "2",
    },
  });
  if (bench.status !== 0) throw new Error(`bench-on-device.sh failed:\n${bench.stderr}`);
}
