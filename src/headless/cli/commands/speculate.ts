// `cwb speculate --target VARIANT --draft VARIANT --prompts FILE`: speculative decoding of the target
// with a smaller draft of the same vocabulary. Greedy output is checked token for token against the
// target alone on every run; prints acceptance, mean accepted length, drafted/accepted counts and the
// speed with and without the draft (± spread over repetitions). Recorded as 'speculate' runs.
import { readFileSync } from "node:fs";
import { Option, type Command } from "commander";
import { resolveModel } from "../../../core/eval/planEvaluation.js";
import { formatBytes } from "../../../shared/format.js";
import {
  speculateSettings,
  type SpeculateAppView,
  type SpeculateReport,
  type SpeculateSettingsInput,
  type SpreadValue,
} from "../../../shared/domain/speculate.js";
import type { CliContext } from "../context.js";
import type { Output } from "../output.js";
import { runJobInForeground } from "../runJobInForeground.js";
import { integerOption } from "../parseOptions.js";
import { addGpuOptions, gpuSettingsFromOptions, type GpuCommandOptions } from "../gpuOptions.js";

interface SpeculateCommandOptions extends GpuCommandOptions {
  target: string;
  draft: string;
  prompts: string;
  maxTokens: string;
  draftMax: string;
  draftMin: string;
  pMin: string;
  reps: string;
  ctx: string;
  threads?: string;
  temp: string;
  seed: string;
  corruptDraftEvery: string;
  appView?: boolean;
}

/** One prompt per non-empty line; a line may hold "\n" for a newline inside the prompt. */
export function readPromptsFile(file: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new Error(`${file}: cannot read the prompts file (${(error as Error).message})`, { cause: error });
  }
  const prompts = text
    .split(/\r?\n/)
    .map((line) => line.replaceAll("\\n", "\n"))
    .filter((line) => line.trim().length > 0);
  if (prompts.length === 0) throw new Error(`${file}: no prompts (one per line)`);
  return prompts;
}

function settingsFromOptions(options: SpeculateCommandOptions): SpeculateSettingsInput {
  const pMin = Number(options.pMin);
  if (!(pMin >= 0 && pMin <= 1))
    throw new Error(`--p-min: expected a number within 0..1, got "${options.pMin}"`);
  const temperature = Number(options.temp);
  if (!(temperature >= 0 && temperature <= 100))
    throw new Error(`--temp: expected a number within 0..100, got "${options.temp}"`);
  return {
    maxTokens: integerOption("--max-tokens", options.maxTokens, 1),
    draftMax: options.draftMax === "auto" ? "auto" : integerOption("--draft-max", options.draftMax, 1),
    draftMin: integerOption("--draft-min", options.draftMin, 0),
    pMin,
    reps: integerOption("--reps", options.reps, 1),
    contextSize: integerOption("--ctx", options.ctx, 64),
    threads: options.threads === undefined ? null : integerOption("--threads", options.threads, 1),
    temperature,
    seed: integerOption("--seed", options.seed, 0),
    corruptDraftEvery: integerOption("--corrupt-draft-every", options.corruptDraftEvery, 0),
    // Without a draft model the app view's prompt lookup is all there is to measure.
    appView: options.appView === true || options.draft === "none",
    ...gpuSettingsFromOptions(options),
  };
}

export function registerSpeculateCommands(program: Command, context: CliContext): void {
  const defaults = speculateSettings.parse({});
  const command = program
    .command("speculate")
    .description(
      "speculative decoding: a draft model proposes, the target checks; acceptance and speedup (greedy output checked against the target alone)",
    )
    .requiredOption("--target <variant>", "the model whose output is wanted (library id/name or GGUF path)")
    .requiredOption(
      "--draft <variant|none>",
      "the smaller model that proposes tokens (same vocabulary); none: prompt lookup only (app view)",
    )
    .requiredOption("--prompts <file>", "text file, one prompt per line")
    .option("--max-tokens <n>", "tokens to generate per prompt", String(defaults.maxTokens))
    .option(
      "--draft-max <n|auto>",
      "most tokens drafted per round; auto tries 2, 4, 8, 16",
      String(defaults.draftMax),
    )
    .option("--draft-min <n>", "drop drafts shorter than this", String(defaults.draftMin))
    .option("--p-min <p>", "stop drafting below this draft probability", String(defaults.pMin))
    .option("--reps <n>", "timed repetitions of every prompt", String(defaults.reps))
    .option("--ctx <n>", "context size", String(defaults.contextSize))
    .option("--threads <n>", "CPU threads (default: the math cores)")
    .option(
      "--temp <t>",
      "0: greedy; above: speculative sampling at this temperature (the target's distribution)",
      String(defaults.temperature),
    )
    .option("--seed <n>", "sampling seed", String(defaults.seed))
    .option(
      "--app-view",
      "also measure node-llama-cpp's token predictors (draft and prompt lookup), as an app gets them",
    )
    // Tests force rejections with it (KV trimming); hidden from help.
    .addOption(
      new Option("--corrupt-draft-every <n>", "replace every Nth drafted token").default("0").hideHelp(),
    );
  addGpuOptions(command).action(async (options: SpeculateCommandOptions) => {
    const settings = settingsFromOptions(options);
    const prompts = readPromptsFile(options.prompts);
    const workbench = context.workbench();
    const target = await resolveModel(workbench.db, options.target);
    const draft = options.draft === "none" ? null : await resolveModel(workbench.db, options.draft);
    await runJobInForeground(
      context,
      "speculate",
      {
        target: { modelId: target.id, path: target.path },
        draft: draft && { modelId: draft.id, path: draft.path },
        prompts,
        settings,
      },
      { json: (result) => result, human: (result) => printReport(context.output, result) },
    );
  });
}

function withSpread(value: SpreadValue, digits: number, unit = ""): string {
  const spread = value.stddev === null ? "" : ` ± ${value.stddev.toFixed(digits)}`;
  return `${value.mean.toFixed(digits)}${spread}${unit}`;
}

function percent(value: number | null): string {
  return value === null ? "–" : `${(value * 100).toFixed(1)} %`;
}

function printReport(output: Output, r: SpeculateReport): void {
  const greedy = r.settings.temperature === 0;
  const mode = greedy
    ? "greedy"
    : `sampling at temperature ${r.settings.temperature}, seed ${r.settings.seed}`;
  output.fields([
    ["target", `${r.targetModelId} (${formatBytes(r.memory.targetBytes)} in memory)`],
    [
      "draft",
      r.draftModelId === null
        ? "none (prompt lookup only)"
        : `${r.draftModelId} (${formatBytes(r.memory.draftBytes)} in memory)`,
    ],
    [
      "runs",
      r.runIds.length > 0 ? r.runIds.join(", ") : "none recorded (the app view is in the job's result)",
    ],
    ["build", `llama.cpp ${r.llamaBuild}, node-llama-cpp ${r.nodeLlamaCpp}, ${r.backend.build}`],
    [
      "settings",
      `${mode}, ${r.settings.maxTokens} tokens, draft min ${r.settings.draftMin}, p-min ${r.settings.pMin}, ${r.settings.threads} threads, ${r.settings.reps} reps`,
    ],
    ["load average", r.loadAverage.map((v) => v.toFixed(2)).join(" ")],
    [
      "output",
      greedy
        ? "identical to the target alone (checked on every repetition)"
        : "sampled from the target's distribution (speculative sampling)",
    ],
  ]);
  if (r.points.length > 0) {
    output.line();
    output.line("engine view: llama.cpp's speculative loop (as llama-speculative-simple runs it)");
    printEngineView(output, r);
  }
  if (r.appView) {
    output.line();
    output.line(
      `app view: node-llama-cpp's sequence.evaluate with a token predictor, up to ${r.appView.predictMax} predicted tokens, ${r.appView.maxTokens} tokens written`,
    );
    printAppView(output, r.appView);
  }
  output.line();
  output.line(
    !r.appView
      ? "An app on node-llama-cpp sees neither figure exactly: --app-view measures its token predictors."
      : r.points.length > 0
        ? "An app on node-llama-cpp sees the app view; the engine view is what llama.cpp's own loop gets from the same draft."
        : "An app on node-llama-cpp sees the app view (no engine view without a draft model).",
  );
}

function printEngineView(output: Output, r: SpeculateReport): void {
  const rows = r.points.flatMap((point) => [
    ...point.prompts.map((p, index) => ({ ...p, label: `${point.draftMax}`, which: `#${index + 1}` })),
    { ...point, label: `${point.draftMax}`, which: "all" },
  ]);
  output.table(rows, [
    { header: "DRAFT MAX", value: (row) => row.label, align: "right" },
    { header: "PROMPT", value: (row) => row.which },
    { header: "DRAFTED", value: (row) => String(row.counts.drafted), align: "right" },
    { header: "ACCEPTED", value: (row) => String(row.counts.accepted), align: "right" },
    { header: "ACCEPT", value: (row) => percent(row.acceptanceRate), align: "right" },
    {
      header: "MEAN LEN",
      value: (row) => (row.meanAcceptedLength === null ? "–" : row.meanAcceptedLength.toFixed(2)),
      align: "right",
    },
    { header: "TOK/S DRAFT", value: (row) => withSpread(row.speculativeTokensPerSecond, 1), align: "right" },
    { header: "TOK/S ALONE", value: (row) => withSpread(row.targetTokensPerSecond, 1), align: "right" },
    { header: "SPEEDUP", value: (row) => withSpread(row.speedup, 2, "x"), align: "right" },
    {
      header: "DRAFT TIME",
      value: (row) => ("draftTimeShare" in row ? percent(row.draftTimeShare) : ""),
      align: "right",
    },
  ]);
  if (r.bestDraftMax !== null) output.note(`fastest draft size: ${r.bestDraftMax}`);
}

function printAppView(output: Output, view: SpeculateAppView): void {
  const predictors = [
    ...(view.draft ? [{ name: "draft", result: view.draft }] : []),
    { name: "prompt lookup", result: view.inputLookup },
  ];
  const rows = predictors.flatMap(({ name, result }) => [
    ...result.prompts.map((p, index) => ({
      ...p,
      name,
      which: `#${index + 1}`,
      without: view.baselinePrompts[index]!.tokensPerSecond,
    })),
    { ...result, name, which: "all", without: view.baselineTokensPerSecond },
  ]);
  output.table(rows, [
    { header: "PREDICTOR", value: (row) => row.name },
    { header: "PROMPT", value: (row) => row.which },
    { header: "DRAFTED", value: (row) => String(row.counts.drafted), align: "right" },
    { header: "ACCEPTED", value: (row) => String(row.counts.accepted), align: "right" },
    { header: "ACCEPT", value: (row) => percent(row.acceptanceRate), align: "right" },
    { header: "WRITTEN", value: (row) => String(row.counts.used), align: "right" },
    { header: "TOK/S WITH", value: (row) => withSpread(row.tokensPerSecond, 1), align: "right" },
    { header: "TOK/S WITHOUT", value: (row) => withSpread(row.without, 1), align: "right" },
    { header: "SPEEDUP", value: (row) => withSpread(row.speedup, 2, "x"), align: "right" },
  ]);
}
