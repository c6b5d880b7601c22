// `npm run bench:distill-embeddings`: what training token_embd buys when healing a pruned reference
// model. The lowest block of `cwb layers` is dropped, then the pruned model is distilled twice from the
// original at the same token budget, token_embd frozen (--no-train-embeddings) and trained
// (--train-embeddings); `cwb eval` compares both on the held-out text (KLD to the teacher and PPL, 95 %
// intervals). Also: training tokens/s and the share of token_embd rows that moved.
// Options: --tokens N per run (default 15360), --threads N (default 2), --chunks N held-out (default 40).
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { buildNode, runCwb } from "../test/cli/runCwb.js";
import { ci95, heldoutEvalArgs } from "./format.js";
import { referenceModel } from "../test/helpers/referenceModel.js";
import type { DistillJobResult } from "../src/shared/domain/distill.js";
import type { EvalJobResult } from "../src/shared/domain/eval.js";
import type { LayersJobResult } from "../src/shared/domain/compression.js";

const { values } = parseArgs({
  options: {
    tokens: { type: "string", default: "15360" },
    threads: { type: "string", default: "2" },
    chunks: { type: "string", default: "40" },
  },
});

buildNode();
const reference = await referenceModel();
const dataDir = mkdtempSync(path.join(os.tmpdir(), "cwb-bench-embd-"));
const file = (name: string) => path.join(dataDir, `${name}.gguf`);
async function cwb(...args: string[]): Promise<string> {
  const result = await runCwb(["--data-dir", dataDir, "--json", ...args]);
  if (result.code !== 0) throw new Error(`cwb ${args.join(" ")} failed:\n${result.stderr.slice(-3000)}`);
  return result.stdout;
}
const threads = ["--threads", values.threads!];
try {
  const layers = JSON.parse(
    await cwb(
      "layers",
      reference.modelPath,
      "--text",
      reference.calibrationText.path,
      "--ctx",
      "256",
      ...threads,
    ),
  ) as LayersJobResult;
  const lowest = layers.ranking[0]!;
  await cwb("prune", reference.modelPath, "--layers", String(lowest), "--out", file("pruned"));
  const names = ["frozen", "trained"] as const;
  const runs: Partial<Record<(typeof names)[number], DistillJobResult>> = {};
  for (const name of names) {
    runs[name] = JSON.parse(
      await cwb(
        "distill",
        "--teacher",
        reference.modelPath,
        "--student",
        file("pruned"),
        "--text",
        reference.calibrationText.path,
        "--tokens",
        values.tokens!,
        ...threads,
        name === "trained" ? "--train-embeddings" : "--no-train-embeddings",
        "--out",
        file(name),
      ),
    ) as DistillJobResult;
  }
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
  console.log(
    `# bench:distill-embeddings: block ${lowest} dropped, ${values.tokens} training tokens per run, held-out ${values.chunks} x 256, load ${os.loadavg()[0]!.toFixed(1)}`,
  );
  console.log(
    `| token_embd | KLD to teacher (95 %) | PPL (95 %) | training tokens/s | token_embd rows changed |`,
  );
  console.log(`| --- | --- | --- | --- | --- |`);
  for (const [i, name] of names.entries()) {
    const f = evaluation.variants[i]!.figures;
    const t = runs[name]!.training;
    const rows = t.tokenEmbedding
      ? `${((100 * t.tokenEmbedding.rowsChanged) / t.tokenEmbedding.rows).toFixed(2)} %`
      : "0 %";
    console.log(
      `| ${name} | ${ci95(f.kldMean, 5)} | ${ci95(f.ppl, 2)} | ${t.tokensPerSecond.toFixed(0)} | ${rows} |`,
    );
  }
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
