// `cwb distill --teacher MODEL --student MODEL | --student-from drop:N|drop:every-other --text FILE
// --tokens N | --seconds S --out PATH`: trains the student on the teacher's soft targets (a "distill"
// job). A student made from the teacher is a job graph: [layer importance →] prune → distill. A run
// cancelled or killed resumes from its last checkpoint when the same command is given again.
import type { Command } from "commander";
import type { DistillJobResult, DistillSettingsInput } from "../../../shared/domain/distill.js";
import { formatBytes, formatDuration } from "../../../shared/format.js";
import { planDistill } from "../../../core/distill/planDistill.js";
import { followGraph } from "../../../core/experiments/experimentGraph.js";
import { insertExperiment } from "../../../core/store/experiments.js";
import type { CliContext } from "../context.js";
import { followGraphRun, noteUnsucceededSteps } from "../followExperiment.js";
import { numberOption, positiveInteger } from "../parseOptions.js";
import { runJobInForeground } from "../runJobInForeground.js";
import { mixedDataSet } from "../../../core/distill/mixDistillData.js";
import { storeTextSet } from "../../../core/quantize/storeTextSet.js";
import type { DistillDataUse } from "../../../shared/domain/distillData.js";
import {
  describeDataSet,
  generateDataSet,
  generationOptions,
  type GenerationOptions,
} from "./distillData.js";

interface DistillCommandOptions extends GenerationOptions {
  teacher: string;
  student?: string;
  studentFrom?: string;
  text?: string;
  generate?: string;
  mix?: string;
  heldout?: string;
  tokens?: string;
  seconds?: string;
  temperature: string;
  alpha: string;
  topK: string;
  lr: string;
  lrMin: string;
  warmup: string;
  accumulate: string;
  ctx: string;
  checkpointEvery: string;
  evalEvery: string;
  heldoutChunks: string;
  textChunks?: string;
  seed: string;
  threads?: string;
  storage: string;
  /** --train-embeddings / --no-train-embeddings; undefined: the setting's default. */
  trainEmbeddings?: boolean;
  out?: string;
}

function settingsFrom(o: DistillCommandOptions): DistillSettingsInput {
  if ((o.tokens === undefined) === (o.seconds === undefined))
    throw new Error("distill: give a budget, exactly one of --tokens N or --seconds S");
  if (o.storage !== "f16" && o.storage !== "f32")
    throw new Error(`--storage: expected f16 or f32, got "${o.storage}"`);
  return {
    contextSize: positiveInteger("--ctx", o.ctx),
    accumulate: positiveInteger("--accumulate", o.accumulate),
    tokens: o.tokens === undefined ? null : positiveInteger("--tokens", o.tokens),
    seconds: o.seconds === undefined ? null : numberOption("--seconds", o.seconds, { min: 1 }),
    temperature: numberOption("--temperature", o.temperature, { min: 0.05, max: 100 }),
    alpha: numberOption("--alpha", o.alpha, { min: 0, max: 1 }),
    topK: positiveInteger("--top-k", o.topK),
    lr: numberOption("--lr", o.lr, { min: 0 }),
    lrMin: numberOption("--lr-min", o.lrMin, { min: 0 }),
    warmupSteps: numberOption("--warmup", o.warmup, { min: 0 }),
    checkpointEvery: positiveInteger("--checkpoint-every", o.checkpointEvery),
    evalEvery: positiveInteger("--eval-every", o.evalEvery),
    heldoutChunks: positiveInteger("--heldout-chunks", o.heldoutChunks),
    textChunks: o.textChunks === undefined ? null : positiveInteger("--text-chunks", o.textChunks),
    seed: numberOption("--seed", o.seed, { min: 0 }),
    threads: o.threads === undefined ? null : positiveInteger("--threads", o.threads),
    storage: o.storage,
    ...(o.trainEmbeddings === undefined ? {} : { trainTokenEmbedding: o.trainEmbeddings }),
  };
}

function printResult(context: CliContext, r: DistillJobResult): void {
  const t = r.training;
  const first = t.heldout[0];
  const last = t.heldout.at(-1);
  const kld = (h: typeof last) =>
    h ? `${h.kld.toFixed(4)} ± ${(1.96 * h.kldStdErr).toFixed(4)}` : "not measured";
  context.output.fields([
    ["model", `${r.model.id} ${r.model.path}`],
    ["size", formatBytes(r.model.sizeBytes)],
    [
      "steps",
      `${t.steps} of ${t.totalSteps}${t.resumedFromStep > 0 ? ` (resumed at ${t.resumedFromStep})` : ""}, ${t.tokens} tokens in ${formatDuration(t.seconds)} (${Math.round(t.tokensPerSecond)} tokens/s)`,
    ],
    ["final loss", t.finalLoss.toFixed(4)],
    [
      "teacher top-k",
      `${r.meanK.toFixed(1)} tokens per position keep ${(100 * r.meanMassKept).toFixed(2)} % of the mass`,
    ],
    [
      "teacher files",
      `text ${r.teacherArtifacts.text.reused ? "reused" : "computed"}` +
        (r.teacherArtifacts.heldout
          ? `, held-out ${r.teacherArtifacts.heldout.reused ? "reused" : "computed"}`
          : ""),
    ],
    ...(r.data
      ? ([
          [
            "trained on",
            r.data.generatedShare === 1
              ? `teacher-generated text ${r.data.set.artifactId}`
              : `${Math.round(100 * r.data.generatedShare)} % teacher-generated text, mix ${r.data.set.artifactId}`,
          ],
        ] as const)
      : []),
    ["held-out KLD (95 %)", `${kld(first)} → ${kld(last)}`],
    [
      "held-out PPL",
      first && last ? `${Math.exp(first.nll).toFixed(2)} → ${Math.exp(last.nll).toFixed(2)}` : "not measured",
    ],
  ]);
}

/**
 * The text to train on: --text, or the teacher's generated set (a distill.data job, reused when
 * recorded), alone or mixed with --text at --mix. null when the data job did not succeed.
 */
async function trainingText(
  context: CliContext,
  o: DistillCommandOptions,
): Promise<{ text: string; data: DistillDataUse | null } | null> {
  const share = o.mix === undefined ? 1 : numberOption("--mix", o.mix, { min: 0, max: 1 });
  if (!o.generate) {
    if (o.mix !== undefined) throw new Error("--mix: only with --generate (the share of generated text)");
    if (!o.text) throw new Error("distill: give the training text, --text FILE, or --generate PROMPTS");
    return { text: o.text, data: null };
  }
  if (share === 0) throw new Error("--mix 0: no generated text; leave out --generate instead");
  if (share < 1 && !o.text) throw new Error(`--mix ${share}: the real text to mix in is --text FILE`);
  if (share === 1 && o.text)
    throw new Error("--text with --generate: give --mix (the share of generated text) to mix them");
  const generated = await generateDataSet(context, o.teacher, o.generate, o);
  if (!generated) return null;
  context.output.note(`data set ${describeDataSet(generated)}`);
  const workbench = context.workbench();
  const { artifactId, path, sha256, teacherSha256, settings } = generated;
  const generatedUse = { artifactId, path, sha256, teacherSha256, settings };
  if (share === 1)
    return {
      text: generated.path,
      data: { set: { artifactId, path, sha256 }, generated: generatedUse, generatedShare: 1, realText: null },
    };
  const { textSet } = await storeTextSet(workbench.db, workbench.paths.dataDir, o.text!, "calibration");
  const real = { path: textSet.path, sha256: textSet.sha256, textSetId: textSet.id };
  const mixed = await mixedDataSet(workbench.db, workbench.paths.dataDir, generated, real, share);
  context.output.note(
    `mixed with ${textSet.name}: ${mixed.artifactId} (${mixed.reused ? "reused" : "written"})`,
  );
  const { reused: _reused, ...set } = mixed;
  return {
    text: mixed.path,
    data: { set, generated: generatedUse, generatedShare: share, realText: { sha256: textSet.sha256 } },
  };
}

export function registerDistillCommands(program: Command, context: CliContext): void {
  const command = program
    .command("distill")
    .description("train a student on a teacher's next-token distributions (soft targets)")
    .requiredOption("--teacher <model>", "library id/name or GGUF path of the teacher")
    .option("--student <model>", "an existing student (e.g. a pruned variant)")
    .option(
      "--student-from <recipe>",
      "make the student from the teacher: drop:N (least important) or drop:every-other",
    )
    .option("--text <file>", "training text (with --generate: the real text mixed in)")
    .option("--generate <prompts>", "train on the teacher's continuations of these prompts (sequence-level)")
    .option("--mix <share>", "with --generate and --text: share of generated text, 0..1 (default 1)")
    .option("--heldout <file>", "held-out text: loss and KLD to the teacher measured at intervals")
    .option("--tokens <n>", "budget: tokens to train on")
    .option("--seconds <s>", "budget: seconds of training")
    .option("--temperature <t>", "soft-target temperature (gradients scaled by T²)", "1")
    .option("--alpha <a>", "weight of the hard label (the text's next token), 0..1", "0")
    .option("--top-k <k>", "teacher tokens kept per position (the rest as one lumped mass)", "64")
    .option("--lr <rate>", "peak learning rate (AdamW)", "1e-4")
    .option("--lr-min <rate>", "final learning rate of the cosine schedule", "1e-5")
    .option("--warmup <steps>", "linear warm-up steps", "4")
    .option("--accumulate <n>", "micro-batches per step (gradient accumulation)", "2")
    .option("--ctx <n>", "tokens per sequence = per step (a multiple of 256)", "256")
    .option("--checkpoint-every <steps>", "save the student every N steps (resume point)", "20")
    .option("--eval-every <steps>", "held-out measurement every N steps", "10")
    .option("--heldout-chunks <n>", "held-out sequences per measurement", "8")
    .option(
      "--text-chunks <n>",
      "sequences of the training text the teacher scores (default: what --tokens trains on; all with --seconds)",
    )
    .option("--seed <n>", "data order", "1")
    .option("--threads <n>", "threads (default: all)")
    .option("--storage <type>", "f16 or f32", "f16")
    .option("--train-embeddings", "also train token_embd (rows of the tokens in the text)")
    .option("--no-train-embeddings", "keep token_embd frozen (default)")
    .option("--out <path>", "output file (default: the data dir's models folder)");
  generationOptions(command).action(async (options: DistillCommandOptions) => {
    const workbench = context.workbench();
    const settings = settingsFrom(options);
    const training = await trainingText(context, options);
    if (!training) return;
    const plan = await planDistill(workbench.db, workbench.paths.dataDir, {
      teacher: options.teacher,
      student: options.student ?? null,
      studentFrom: options.studentFrom ?? null,
      text: training.text,
      data: training.data,
      heldout: options.heldout ?? null,
      settings,
      out: options.out ?? null,
    });
    if (plan.kind === "job") {
      await runJobInForeground(context, "distill", plan.params, {
        json: (result) => result,
        human: (r) => printResult(context, r),
      });
      return;
    }
    const outcome = await followGraphRun(context, (followOptions) => {
      const experimentId = insertExperiment(workbench.db, {
        name: plan.name,
        kind: "distill",
        recipe: { studentFrom: options.studentFrom, settings: settingsFrom(options) },
        baseModelId: plan.teacher.id,
      }).id;
      const jobs = workbench.jobs.enqueueGraph(experimentId, plan.nodes);
      return Promise.resolve(followGraph(workbench, experimentId, jobs, [], followOptions));
    });
    noteUnsucceededSteps(context, outcome);
    const step = outcome.steps.find((s) => s.step === plan.distillStep && s.state === "succeeded");
    if (!step?.jobId) return;
    const result = workbench.jobs.get(step.jobId).result as DistillJobResult;
    context.output.result(result, () => printResult(context, result));
  });
}
