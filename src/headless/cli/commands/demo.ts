// `cwb demo` (the README's main command, `npm run demo`): builds or reuses the reference model, then
// runs one sweep on it — six quant levels, plus two with an importance matrix computed from held-out
// calibration text — evaluates and benchmarks every variant, prints the table and writes the HTML
// report. Progress throughout; Ctrl+C cancels.
import type { Command } from "commander";
import type { CliContext } from "../context.js";
import { runSweepCommand } from "./experiments.js";
import { ensureReferenceModel } from "./referenceModel.js";

/** Six levels without an importance matrix, then two with one, so the report shows what it buys. */
const demoTypes = "Q8_0,Q6_K,Q5_K_M,Q4_K_M,Q3_K_M,Q2_K,IQ4_XS+imatrix,Q2_K+imatrix";

export function registerDemoCommands(program: Command, context: CliContext): void {
  program
    .command("demo")
    .description(
      "build the reference model, sweep it over 8 quantizations (2 with an importance matrix), measure each, write the HTML report",
    )
    .option("--out <file>", "HTML report path", "cwb-demo-report.html")
    .option("--threads <n>", "CPU threads (default: all)")
    .option("--quick", "use the quickly trained reference model (pipeline check, not quality)")
    .action(async (options: { out: string; threads?: string; quick?: boolean }) => {
      const { output } = context;
      const started = Date.now();
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
        report: options.out,
      });
      output.note(`demo finished in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    });
}
