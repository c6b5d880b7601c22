// `cwb sweep`, `cwb report` and `cwb experiments ...`: one experiment quantizes a base model to
// several types, evaluates and benchmarks every variant, and its summary table and reports are
// derived from what was recorded.
import path from "node:path";
import type { Command } from "commander";
import type { ExperimentSummary, SweepRecipeInput } from "../../../shared/domain/experiment.js";
import { describeDevicesOverview, devicesOverview } from "../../../shared/domain/runDevice.js";
import { softwareGpuRemedyFlag } from "../gpuOptions.js";
import { formatDateTime } from "../../../shared/format.js";
import { noiseNotes, noiseTestNote } from "../../../shared/metrics/bestBeyondNoise.js";
import { reportColumns } from "../../../shared/metrics/experimentColumns.js";
import { bestDraftTables, healingNote, healingTable } from "../../../core/report/renderTableReports.js";
import { bestDraftNote } from "../../../shared/metrics/bestDraft.js";
import {
  isReportFormat,
  renderReport,
  reportFormats,
  writeReport,
} from "../../../core/report/writeReport.js";
import type { CliContext } from "../context.js";
import { followResume, followSweep, noteUnsucceededSteps } from "../followExperiment.js";
import { addGpuOptions, gpuSettingsFromOptions, type GpuCommandOptions } from "../gpuOptions.js";
import { positiveInteger } from "../parseOptions.js";
import { addSweepChainOptions, sweepChainFromOptions, type SweepChainOptions } from "../sweepChainOptions.js";
import {
  addSweepSpeculateOptions,
  sweepSpeculateFromOptions,
  type SweepSpeculateOptions,
} from "../sweepSpeculateOptions.js";
import { compareOnDevice } from "../../../core/devices/compareOnDevice.js";

interface SweepOptions extends Partial<GpuCommandOptions>, SweepChainOptions, SweepSpeculateOptions {
  types: string;
  imatrix: string;
  calibText?: string;
  evalText?: string;
  evalCtx: string;
  evalChunks?: string;
  bench?: boolean;
  benchReps: string;
  benchRounds?: string;
  threads?: string;
  name?: string;
  report?: string;
  tensorType?: string[];
  allowRequantize?: boolean;
}

export function sweepRecipeFromOptions(options: SweepOptions): SweepRecipeInput {
  const threads = options.threads ? positiveInteger("--threads", options.threads) : null;
  const imatrix =
    options.imatrix === "auto" || options.imatrix === "none"
      ? options.imatrix
      : { path: path.resolve(options.imatrix) };
  return {
    types: options.types
      .split(",")
      .map((t) => t.trim())
      .filter(Boolean),
    imatrix,
    calibrationText: options.calibText ? path.resolve(options.calibText) : null,
    evalText: options.evalText ? path.resolve(options.evalText) : null,
    evalContextSize: positiveInteger("--eval-ctx", options.evalCtx),
    evalChunks: options.evalChunks ? positiveInteger("--eval-chunks", options.evalChunks) : null,
    bench: options.bench ?? false,
    benchReps: positiveInteger("--bench-reps", options.benchReps),
    ...(options.benchRounds ? { benchRounds: positiveInteger("--bench-rounds", options.benchRounds) } : {}),
    threads,
    ...sweepChainFromOptions(options, threads),
    ...sweepSpeculateFromOptions(options),
    tensorTypes: options.tensorType ?? [],
    allowRequantize: options.allowRequantize ?? false,
    ...gpuSettingsFromOptions({
      gpu: options.gpu ?? "auto",
      gpuLayers: options.gpuLayers ?? "auto",
      softwareGpu: options.softwareGpu ?? false,
      llamaBuild: options.llamaBuild ?? "prebuilt",
    }),
  };
}

/**
 * The summary table for people, every metric with its unit (speed and memory ± their spread),
 * Pareto membership last, then what differs beyond noise.
 */
export function printSummary(context: CliContext, summary: ExperimentSummary): void {
  const { output } = context;
  output.line(`${summary.name}  (experiment ${summary.id})`);
  output.table(
    summary.rows,
    reportColumns.map((c) => ({
      header: c.label,
      value: c.format,
      align: c.better ? ("right" as const) : ("left" as const),
    })),
  );
  for (const note of noiseNotes(summary.rows, reportColumns)) output.note(note);
  output.note(noiseTestNote);
  const healing = healingTable(summary);
  if (healing.rows.length > 0) {
    output.line("");
    output.line(`What healing bought (${healingNote})`);
    printCells(context, healing, 0);
  }
  for (const table of bestDraftTables(summary)) {
    output.line("");
    output.line(table.title);
    printCells(context, table, 1);
    output.note(bestDraftNote);
  }
}

/** A table of formatted cells, its `textColumn` left-aligned and the others right-aligned. */
function printCells(context: CliContext, table: { headers: string[]; rows: string[][] }, textColumn: number) {
  context.output.table(
    table.rows,
    table.headers.map((header, i) => ({
      header,
      value: (cells: string[]) => cells[i]!,
      align: i === textColumn ? ("left" as const) : ("right" as const),
    })),
  );
}

/** The experiment an id or id prefix names; an error naming the reference otherwise. */
export function resolveExperimentId(context: CliContext, ref: string): string {
  const matches = context
    .workbench()
    .experiments.list()
    .filter((e) => e.id === ref || e.id.startsWith(ref));
  if (matches.length === 1) return matches[0]!.id;
  throw new Error(
    matches.length === 0
      ? `no experiment matches "${ref}" (see cwb experiments list)`
      : `"${ref}" matches ${matches.length} experiments; give more of the id`,
  );
}

export function addSweepOptions(command: Command): Command {
  return addSweepSpeculateOptions(addSweepChainOptions(addGpuOptions(command)))
    .option(
      "--imatrix <auto|none|file>",
      "importance matrix: computed from --calib-text (auto), none, or a file",
      "none",
    )
    .option("--calib-text <file>", "calibration text for --imatrix auto")
    .option("--eval-text <file>", "evaluate each variant against the base on this text (PPL, KLD)")
    .option("--eval-ctx <n>", "evaluation context (tokens per chunk)", "256")
    .option("--eval-chunks <n>", "evaluation chunks (default: all)")
    .option("--bench", "benchmark speed and memory of the base and every variant")
    .option("--bench-reps <n>", "benchmark repetitions", "3")
    .option(
      "--bench-rounds <n>",
      "benchmark every model this many times, in alternating order, after all other steps (default 2)",
    )
    .option("--threads <n>", "CPU threads for every job (default: all)")
    .option(
      "--tensor-type <regex=type>",
      "per-tensor override for every variant (repeatable)",
      (value: string, all: string[] = []) => [...all, value],
    )
    .option("--allow-requantize", "allow a base model whose tensors are already quantized")
    .option("--name <name>", "experiment name")
    .option(
      "--report <file>",
      "also write a report; the format follows the extension (.md .csv .json .html)",
    );
}

export async function runSweepCommand(
  context: CliContext,
  model: string,
  options: SweepOptions,
): Promise<ExperimentSummary> {
  const outcome = await followSweep(context, {
    model,
    recipe: sweepRecipeFromOptions(options),
    name: options.name,
  });
  const summary = context.workbench().experiments.get(outcome.experimentId);
  context.output.result(summary, () => printSummary(context, summary));
  noteUnsucceededSteps(context, outcome);
  const reused = outcome.steps.filter((s) => s.state === "reused").length;
  if (reused > 0) context.output.note(`${reused} result(s) reused from earlier runs`);
  if (options.report) {
    const ext = path.extname(options.report).slice(1);
    const format = isReportFormat(ext) ? ext : "html";
    context.output.note(`report: ${writeReport(summary, format, options.report)}`);
  }
  return summary;
}

export function registerExperimentsCommands(program: Command, context: CliContext): void {
  addSweepOptions(
    program
      .command("sweep")
      .description("quantize MODEL to several types, evaluate and benchmark each variant: one experiment")
      .argument("<model>", "base model: library id/name or GGUF path")
      .requiredOption(
        "--types <list>",
        "comma-separated quant types, e.g. Q8_0,Q6_K,Q5_K_M,Q4_K_M,Q3_K_M,Q2_K,Q2_K+imatrix (a +imatrix entry uses the importance matrix; without any, --imatrix applies to all)",
      ),
  ).action(async (model: string, options: SweepOptions) => {
    await runSweepCommand(context, model, options);
  });

  program
    .command("report")
    .description("an experiment's summary as Markdown, CSV, JSON or a self-contained HTML page with charts")
    .argument("<experiment>", "experiment id (or a unique prefix)")
    .option("--format <format>", `one of ${reportFormats.join(", ")}`, "md")
    .option("--out <path>", "write to this file (default: stdout)")
    .option(
      "--device <id>",
      "add a device's columns: measured results imported for it, predictions elsewhere, predicted vs measured",
    )
    .option("--ctx <n>", "context length of the device's fit and generation predictions", "4096")
    .action(async (ref: string, options: { format: string; out?: string; device?: string; ctx: string }) => {
      if (!isReportFormat(options.format))
        throw new Error(`--format: "${options.format}" is not one of ${reportFormats.join(", ")}`);
      const workbench = context.workbench();
      const experimentId = resolveExperimentId(context, ref);
      const summary = workbench.experiments.get(experimentId);
      const device = options.device
        ? await compareOnDevice(workbench.db, {
            deviceId: options.device,
            contextSize: positiveInteger("--ctx", options.ctx),
            experimentId,
          })
        : null;
      if (options.out)
        context.output.note(`wrote ${writeReport(summary, options.format, options.out, device)}`);
      else context.output.streams.stdout.write(renderReport(summary, options.format, device));
    });

  const experiments = program.command("experiments").description("the experiment history");
  experiments
    .command("list")
    .option("--search <text>", "only experiments whose name, kind, base or tags contain this")
    .action((options: { search?: string }) => {
      const items = context.workbench().experiments.list(options.search);
      context.output.result(items, () =>
        context.output.table(items, [
          { header: "ID", value: (e) => e.id.slice(0, 12) },
          { header: "Name", value: (e) => e.name },
          { header: "Base", value: (e) => e.baseModelName ?? "–" },
          { header: "State", value: (e) => e.state },
          { header: "Variants", value: (e) => String(e.variantCount), align: "right" },
          {
            header: "Jobs",
            value: (e) =>
              Object.entries(e.jobCounts)
                .map(([s, n]) => `${n} ${s}`)
                .join(", ") || "–",
          },
          { header: "Tags", value: (e) => e.tags.join(", ") },
          { header: "Created", value: (e) => formatDateTime(e.createdAt) },
        ]),
      );
    });
  experiments
    .command("show")
    .argument("<experiment>")
    .action((ref: string) => {
      const summary = context.workbench().experiments.get(resolveExperimentId(context, ref));
      const devices = devicesOverview(summary.rows, softwareGpuRemedyFlag);
      context.output.result(summary, () => {
        printSummary(context, summary);
        context.output.line();
        context.output.fields([
          ["Recipe", JSON.stringify(summary.recipe)],
          ["Machine", summary.machine ? `${summary.machine.cpu}, ${summary.machine.cores} cores` : "–"],
          ["llama.cpp", summary.llamaBuild ?? "–"],
          ["Ran on", describeDevicesOverview(devices)],
          ...devices.skipped.map((text) => ["Skipped", text] as const),
          ["State", summary.state],
          ["Tags", summary.tags.join(", ") || "–"],
          ...summary.notes.map((n) => ["Note", `${n.text} (${formatDateTime(n.createdAt)})`] as const),
        ]);
      });
    });
  experiments
    .command("rerun")
    .description("run the same recipe again; finished artifacts are reused")
    .argument("<experiment>")
    .action(async (ref: string) => {
      const id = resolveExperimentId(context, ref);
      const experiment = context.workbench().experiments.get(id);
      if (!experiment.baseModelId)
        throw new Error(`experiment ${id}: its base model is no longer in the library`);
      await followSweep(context, {
        model: experiment.baseModelId,
        recipe: experiment.recipe as SweepRecipeInput,
        experimentId: id,
      });
      const summary = context.workbench().experiments.get(id);
      context.output.result(summary, () => printSummary(context, summary));
    });
  experiments
    .command("resume")
    .description(
      "run only the steps of an interrupted, failed or cancelled experiment that did not succeed, in the same experiment",
    )
    .argument("<experiment>")
    .action(async (ref: string) => {
      const id = resolveExperimentId(context, ref);
      const outcome = await followResume(context, id);
      const summary = context.workbench().experiments.get(id);
      context.output.result(summary, () => printSummary(context, summary));
      noteUnsucceededSteps(context, outcome);
      context.output.note(`${outcome.steps.length} step(s) resumed`);
    });
  experiments
    .command("cancel")
    .description("cancel every unfinished job of the experiment (its whole job graph)")
    .argument("<experiment>")
    .action(async (ref: string) => {
      const workbench = context.workbench();
      // Jobs left by a process that is gone are recorded as interrupted first.
      await workbench.jobs.recoverInterrupted();
      const result = await workbench.experiments.cancel(resolveExperimentId(context, ref));
      context.output.result(result, () => context.output.line(`${result.cancelled} job(s) cancelled`));
    });
  experiments
    .command("note")
    .argument("<experiment>")
    .argument("<text>")
    .action((ref: string, text: string) => {
      context.output.result(
        context.workbench().experiments.addNote(resolveExperimentId(context, ref), text),
        () => context.output.line("note added"),
      );
    });
  experiments
    .command("tag")
    .argument("<experiment>")
    .argument("<tags...>", "the experiment's tags (replaces the current ones)")
    .action((ref: string, tags: string[]) => {
      const result = context.workbench().experiments.setTags(resolveExperimentId(context, ref), tags);
      context.output.result(result, () => context.output.line(`tags: ${result.tags.join(", ")}`));
    });
  experiments
    .command("remove")
    .argument("<experiment>")
    .option("--delete-files", "also delete the variant files it made (unless another experiment uses them)")
    .action(async (ref: string, options: { deleteFiles?: boolean }) => {
      const result = await context
        .workbench()
        .experiments.remove(resolveExperimentId(context, ref), options.deleteFiles ?? false);
      context.output.result(result, () =>
        context.output.line(`removed; ${result.filesDeleted} file(s) deleted`),
      );
    });
}
