// `npm run bench:distill`: distillation on the reference model, through the product's own commands.
// - healing: `cwb layers` ranks the blocks, the lowest is dropped (`cwb prune`), the pruned model is
//   distilled from the original on the calibration text (`cwb distill`), and `cwb eval` compares it
//   with the unhealed pruned model on the held-out text: KLD to the teacher and PPL, 95 % intervals;
// - soft against hard: the same student and token budget trained on the text's next tokens (--alpha 1);
// - a half-depth student (every other block dropped, as DistilBERT's), distilled, against the same
//   student trained without a teacher (--alpha 1);
// - sequence-level: the same pruned student and budget trained on the teacher's own continuations of
//   chunks of the calibration text (`cwb distill --generate`), alone and mixed half and half with the
//   real text;
// - which tensors training changed (attn_k / attn_v pass through the KV cache).
// Options: --tokens N per training run (default 15360), --threads N (default 2), --chunks N of the
// held-out evaluation (default 40), --skip-half / --skip-hard (no half-depth / hard-label runs).
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { buildNode, runCwb } from "../test/cli/runCwb.js";
import { ci95, heldoutEvalArgs } from "./format.js";
import { referenceModel } from "../test/helpers/referenceModel.js";
import { readGgufLayout } from "../src/core/library/ggufLayout.js";
import type { DistillJobResult } from "../src/shared/domain/distill.js";
import type { EvalJobResult } from "../src/shared/domain/eval.js";
import type { LayersJobResult } from "../src/shared/domain/compression.js";

const { values } = parseArgs({
  options: {
    tokens: { type: "string", default: "15360" },
    threads: { type: "string", default: "2" },
    chunks: { type: "string", default: "40" },
    "skip-half": { type: "boolean", default: false },
    "skip-hard": { type: "boolean", default: false },
  },
});

async function cwb(...args: string[]): Promise<string> {
  const result = await runCwb(["--data-dir", dataDir, "--json", ...args]);
  if (result.code !== 0) throw new Error(`cwb ${args.join(" ")} failed:\n${result.stderr.slice(-3000)}`);
  return result.stdout;
}

/** Per tensor kind (name without the block prefix): the share of elements that differ between two files. */
async function changedShare(a: string, b: string): Promise<Map<string, { changed: number; total: number }>> {
  const [la, lb] = [await readGgufLayout(a, statSync(a).size), await readGgufLayout(b, statSync(b).size)];
  const [fa, fb] = [readFileSync(a), readFileSync(b)];
  const out = new Map<string, { changed: number; total: number }>();
  for (const ta of la.tensors) {
    const tb = lb.tensors.find((t) => t.name === ta.name);
    if (!tb || tb.bytes !== ta.bytes || ta.type !== tb.type || ta.type !== 1) continue; // F16 only
    const kind = ta.name.replace(/^blk\.\d+\./, "");
    const entry = out.get(kind) ?? { changed: 0, total: 0 };
    for (let i = 0; i < ta.bytes; i += 2)
      if (fa.readUInt16LE(ta.fileOffset + i) !== fb.readUInt16LE(tb.fileOffset + i)) entry.changed++;
    entry.total += ta.bytes / 2;
    out.set(kind, entry);
  }
  return out;
}

buildNode();
const reference = await referenceModel();
const dataDir = mkdtempSync(path.join(os.tmpdir(), "cwb-bench-distill-"));
const file = (name: string) => path.join(dataDir, `${name}.gguf`);
const common = ["--text", reference.calibrationText.path, "--heldout", reference.evalText.path];
const budget = [
  "--tokens",
  values.tokens!,
  "--threads",
  values.threads!,
  "--ctx",
  "256",
  "--accumulate",
  "2",
];
try {
  const layers = JSON.parse(
    await cwb("layers", reference.modelPath, "--text", reference.calibrationText.path, "--ctx", "256"),
  ) as LayersJobResult;
  const lowest = layers.ranking[0]!;
  const blocks = layers.layers.length;
  const everyOther = Array.from({ length: blocks }, (_, i) => i).filter((i) => i % 2 === 1);
  await cwb("prune", reference.modelPath, "--layers", String(lowest), "--out", file("pruned"));
  await cwb("prune", reference.modelPath, "--layers", everyOther.join(","), "--out", file("half"));

  const runs: Record<string, DistillJobResult> = {};
  const distill = async (name: string, student: string, alpha: string, data: string[] = common) => {
    const started = Date.now();
    runs[name] = JSON.parse(
      await cwb(
        "distill",
        "--teacher",
        reference.modelPath,
        "--student",
        file(student),
        ...data,
        ...budget,
        "--alpha",
        alpha,
        "--out",
        file(name),
      ),
    ) as DistillJobResult;
    const t = runs[name].training;
    console.error(
      `# ${name}: ${t.steps} steps, ${t.tokens} tokens, ${t.tokensPerSecond.toFixed(0)} tokens/s, job ${((Date.now() - started) / 1000).toFixed(0)} s`,
    );
  };
  await distill("healed-soft", "pruned", "0");
  if (!values["skip-hard"]) await distill("healed-hard", "pruned", "1");
  // The teacher continues 32-token chunks of the calibration text by 96 tokens each: 128 tokens per
  // sample, enough samples for the budget (the set is generated once; the mixed run reuses it).
  const samples = String(Math.ceil(Number(values.tokens) / 128) + 8);
  const generate = [
    "--generate",
    reference.calibrationText.path,
    "--gen-split",
    "chunks",
    "--gen-chunk-tokens",
    "32",
    "--gen-tokens",
    "96",
    "--gen-prompts",
    samples,
    "--gen-temp",
    "0.8",
    "--gen-top-p",
    "0.95",
    "--gen-seed",
    "1",
    // One token at a time on a tiny model: one thread is as fast, and spinning threads on a busy
    // machine made two threads 500x slower (0.2 s against 119 s for 192 tokens at load 16).
    "--gen-threads",
    "1",
    "--heldout",
    reference.evalText.path,
  ];
  await distill("healed-generated", "pruned", "0", generate);
  await distill("healed-mixed", "pruned", "0", [
    ...generate,
    "--text",
    reference.calibrationText.path,
    "--mix",
    "0.5",
  ]);
  const half = !values["skip-half"];
  if (half) {
    await distill("half-soft", "half", "0");
    await distill("half-hard", "half", "1");
  }

  const names = [
    "pruned",
    "healed-soft",
    ...(values["skip-hard"] ? [] : ["healed-hard"]),
    "healed-generated",
    "healed-mixed",
    ...(half ? ["half", "half-soft", "half-hard"] : []),
  ];
  const evaluation = JSON.parse(
    await cwb(
      ...heldoutEvalArgs(
        names.map(file),
        reference.modelPath,
        reference.evalText.path,
        values.chunks!,
        values.threads!,
      ),
    ),
  ) as EvalJobResult;
  const describe: Record<string, string> = {
    pruned: `block ${lowest} dropped (lowest in cwb layers), not healed`,
    "healed-soft": "pruned, distilled (soft targets, T 1)",
    "healed-hard": "pruned, trained on hard labels (alpha 1)",
    "healed-generated": "pruned, distilled on teacher-generated text only (T 0.8, top-p 0.95)",
    "healed-mixed": "pruned, distilled on half generated, half real text",
    half: `every other block dropped (${everyOther.join(",")})`,
    "half-soft": "half depth, distilled (soft targets)",
    "half-hard": "half depth, trained without a teacher (alpha 1)",
  };
  console.log(
    `# bench:distill: reference model (${blocks} blocks), ${values.tokens} training tokens per run, held-out ${evaluation.variants[0]?.figures.positions ?? 0} positions (${values.chunks} x 256), load ${os.loadavg()[0]!.toFixed(1)}`,
  );
  console.log(`| student | what | KLD to teacher (95 %) | PPL (95 %) |`);
  console.log(`| --- | --- | --- | --- |`);
  console.log(`| teacher | the reference model | 0 | ${ci95(evaluation.variants[0]!.figures.basePpl, 2)} |`);
  for (const [i, name] of names.entries()) {
    const f = evaluation.variants[i]!.figures;
    console.log(`| ${name} | ${describe[name]} | ${ci95(f.kldMean, 5)} | ${ci95(f.ppl, 2)} |`);
  }
  const soft = runs["healed-soft"]!;
  console.log(
    `\nteacher top-k: ${soft.meanK.toFixed(1)} tokens kept ${(100 * soft.meanMassKept).toFixed(2)} % of the probability mass on average`,
  );
  console.log(`\nshare of F16 weights changed by distillation (pruned → healed-soft):`);
  const share = await changedShare(file("pruned"), file("healed-soft"));
  for (const [kind, { changed, total }] of [...share].sort())
    console.log(`  ${kind}: ${((100 * changed) / total).toFixed(2)} %`);
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
