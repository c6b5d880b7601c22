// `cwb demo` (the README's main command, `npm run demo`): builds or reuses the reference model, then
// runs one sweep on it — six quant levels, plus two with an importance matrix computed from held-out
// calibration text — evaluates and benchmarks every variant, prints the table and writes the HTML
// report. Progress throughout; Ctrl+C cancels.
//
// `cwb demo --speed` (`npm run demo -- --speed`): the reference model fits in a CPU's cache, so its
// speed says little about real models. This makes (once, cached in the data folder) a random-weight
// model of a real shape (shared/domain/randomModel.ts), large enough that generation is bound by
// memory bandwidth, sweeps it to Q8_0 and Q4_K_M and benchmarks the three for speed only — no
// quality evaluation: random weights have none — with the experiment and report labelled so.
import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import type { Command } from "commander";
import { randomModelShapes, type RandomModelResult } from "../../../shared/domain/randomModel.js";
import { formatBytes } from "../../../shared/format.js";
import { llamaVersions } from "../../../core/versions.js";
import type { CliContext } from "../context.js";
import { runJobInForeground } from "../runJobInForeground.js";
import { runSweepCommand } from "./experiments.js";
import { ensureReferenceModel } from "./referenceModel.js";

/** Six levels without an importance matrix, then two with one, so the report shows what it buys. */
const demoTypes = "Q8_0,Q6_K,Q5_K_M,Q4_K_M,Q3_K_M,Q2_K,IQ4_XS+imatrix,Q2_K+imatrix";

const speedShape = "smollm2-360m" as const;
const speedTypes = "Q8_0,Q4_K_M";

interface DemoOptions {
  out?: string;
  threads?: string;
  quick?: boolean;
  speed?: boolean;
}

export function registerDemoCommands(program: Command, context: CliContext): void {
  program
    .command("demo")
    .description(
      "build the reference model, sweep it over 8 quantizations (2 with an importance matrix), measure each, write the HTML report",
    )
    .option("--out <file>", "HTML report path (default cwb-demo-report.html, cwb-demo-speed-report.html)")
    .option("--threads <n>", "CPU threads (default: all)")
    .option("--quick", "use the quickly trained reference model (pipeline check, not quality)")
    .option(
      "--speed",
      `instead: speed only, on a random-weight model of a real shape (${randomModelShapes[speedShape].title}) and its ${speedTypes} variants`,
    )
    .action(async (options: DemoOptions) => {
      const started = Date.now();
      if (options.speed) await speedDemo(context, options);
      else await qualityDemo(context, options);
      context.output.note(`demo finished in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    });
}

async function qualityDemo(context: CliContext, options: DemoOptions): Promise<void> {
  const { output } = context;
  output.note("1/2 reference model");
  const ref = await ensureReferenceModel(context, { variant: options.quick ? "quick" : "full" });
  if (!ref) return;
  output.note(`2/2 sweep: ${demoTypes}`);
  await runSweepCommand(context, ref.modelPath, {
    types: demoTypes,
    imatrix: "auto",
    calibText: ref.calibrationText.path,
    evalText: ref.evalText.path,
    evalCtx: "256",
    evalChunks: "16",
    bench: true,
    benchReps: "2",
    threads: options.threads,
    name: "demo: reference model sweep",
    report: options.out ?? "cwb-demo-report.html",
  });
}

async function speedDemo(context: CliContext, options: DemoOptions): Promise<void> {
  const { output } = context;
  const shape = randomModelShapes[speedShape];
  // One file per shape and llama.cpp release (createModel's output may change with the release).
  const release = llamaVersions().llamaCppRelease ?? "unknown";
  const modelPath = path.join(
    context.workbench().paths.models,
    "random",
    `${speedShape}-${release}.F16.gguf`,
  );
  output.note(`1/2 random-weight model: ${shape.title}`);
  if (!existsSync(modelPath)) {
    mkdirSync(path.dirname(modelPath), { recursive: true });
    const job = await runJobInForeground(
      context,
      "models.random",
      { shape: speedShape, outPath: modelPath },
      { printResult: false },
    );
    if (job.state !== "succeeded") return;
    const made = job.result as RandomModelResult;
    output.note(
      `${formatBytes(made.sizeBytes)}, ${(made.nParams / 1e6).toFixed(0)} M parameters: ${modelPath}`,
    );
  }
  output.note(`2/2 speed sweep (random weights, no quality evaluation): ${speedTypes}`);
  await runSweepCommand(context, modelPath, {
    types: speedTypes,
    imatrix: "none",
    evalCtx: "256",
    bench: true,
    benchReps: "3",
    threads: options.threads,
    name: `demo: speed only, random weights (${shape.title})`,
    report: options.out ?? "cwb-demo-speed-report.html",
  });
}
