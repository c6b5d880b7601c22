// `cwb quantize MODEL --type T [...]`: llama-quantize's options, run as a "quantize" job in the
// foreground (per-tensor progress, Ctrl+C cancels). The new model is a variant of MODEL in the
// library. `cwb quantize --list-types` prints the types with bits per weight.
import type { Command } from "commander";
import type { QuantizeJobResult } from "../../../shared/domain/compression.js";
import { formatBytes, formatDuration } from "../../../shared/format.js";
import { quantTypes } from "../../../shared/quantTypes.js";
import { planQuantize } from "../../../core/quantize/planQuantize.js";
import type { CliContext } from "../context.js";
import type { Output } from "../output.js";
import { runJobInForeground } from "../runJobInForeground.js";

interface QuantizeCommandOptions {
  type?: string;
  listTypes?: boolean;
  imatrix?: string;
  tensorType: string[];
  outputTensorType?: string;
  tokenEmbeddingType?: string;
  pure?: boolean;
  leaveOutputTensor?: boolean;
  allowRequantize?: boolean;
  threads?: string;
  dryRun?: boolean;
  out?: string;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export function registerQuantizeCommands(program: Command, context: CliContext): void {
  program
    .command("quantize")
    .description("quantize a model with llama.cpp's quantizer (same output as llama-quantize)")
    .argument("[model]", "library id/name or GGUF path (imported when new)")
    .option("--type <type>", "target file type, e.g. Q4_K_M (see --list-types)")
    .option("--list-types", "list the quantization types with bits per weight")
    .option("--imatrix <file>", "importance matrix (GGUF or legacy .dat), as made by `cwb imatrix`")
    .option(
      "--tensor-type <regex=type>",
      "per-tensor type override, repeatable (e.g. attn_v=q8_0)",
      collect,
      [],
    )
    .option("--output-tensor-type <type>", "tensor type of output.weight")
    .option("--token-embedding-type <type>", "tensor type of token_embd.weight")
    .option("--pure", "no k-quant mixture: every tensor gets the type's base tensor type")
    .option("--leave-output-tensor", "keep output.weight as it is")
    .option("--allow-requantize", "allow quantizing tensors that are already quantized")
    .option("--threads <n>", "threads (default: all)")
    .option("--dry-run", "print the predicted size and per-tensor types; write nothing")
    .option("--out <path>", "output file (default: the data dir's models folder)")
    .action(async (model: string | undefined, options: QuantizeCommandOptions) => {
      if (options.listTypes) {
        printTypes(context.output);
        return;
      }
      if (!model) throw new Error("quantize: which model? (cwb quantize MODEL --type T)");
      if (!options.type) throw new Error("quantize: --type is required (see cwb quantize --list-types)");
      let threads: number | null = null;
      if (options.threads !== undefined) {
        threads = Number(options.threads);
        if (!Number.isInteger(threads) || threads < 1)
          throw new Error(`--threads: expected a positive integer, got "${options.threads}"`);
      }
      const workbench = context.workbench();
      const params = await planQuantize(workbench.db, workbench.paths.dataDir, {
        model,
        type: options.type,
        imatrix: options.imatrix ?? null,
        tensorTypes: options.tensorType,
        outputTensorType: options.outputTensorType ?? null,
        tokenEmbeddingType: options.tokenEmbeddingType ?? null,
        pure: options.pure ?? false,
        leaveOutputTensor: options.leaveOutputTensor ?? false,
        allowRequantize: options.allowRequantize ?? false,
        threads,
        dryRun: options.dryRun ?? false,
        out: options.out ?? null,
      });
      await runJobInForeground(context, "quantize", params, {
        json: (result) => result,
        human: (result) => printResult(context.output, result),
      });
    });
}

function printTypes(output: Output): void {
  output.result(quantTypes, () => {
    output.table(quantTypes, [
      { header: "TYPE", value: (q) => q.name },
      { header: "FTYPE", value: (q) => (q.copyOnly ? "-" : String(q.ftype)), align: "right" },
      { header: "BPW", value: (q) => (q.copyOnly ? "-" : q.bpw.toFixed(2)), align: "right" },
      { header: "IMATRIX", value: (q) => (q.needsImatrix ? "required" : "") },
      { header: "DESCRIPTION", value: (q) => q.description },
    ]);
  });
}

function printResult(output: Output, r: QuantizeJobResult): void {
  const counts = new Map<string, number>();
  for (const t of r.report.tensors) counts.set(t.toType, (counts.get(t.toType) ?? 0) + 1);
  const mix = [...counts].map(([type, n]) => `${n} ${type}`).join(", ");
  if (r.dryRun) {
    output.table(r.report.tensors, [
      { header: "TENSOR", value: (t) => t.name },
      { header: "SHAPE", value: (t) => t.shape.join("×") },
      { header: "FROM", value: (t) => t.fromType },
      { header: "TO", value: (t) => t.toType },
      { header: "BYTES", value: (t) => formatBytes(t.bytes), align: "right" },
    ]);
    output.line();
  }
  output.fields([
    ...(r.model
      ? ([
          ["model", `${r.model.id} ${r.model.path}${r.alreadyPresent ? " (already in the library)" : ""}`],
        ] as const)
      : []),
    [
      "size",
      `${r.report.originalMiB.toFixed(2)} MiB → ${r.report.quantizedMiB.toFixed(2)} MiB of tensors (${r.report.quantizedBpw.toFixed(2)} bits per weight)`,
    ],
    ...(r.model ? ([["file", formatBytes(r.model.sizeBytes)]] as const) : []),
    ["tensor types", mix],
    ...(r.report.fallbacks > 0
      ? ([
          ["fallbacks", `${r.report.fallbacks} tensor(s) could not take the requested type (row width)`],
        ] as const)
      : []),
    ["llama.cpp", r.llamaBuild],
    ["time", formatDuration(r.report.seconds)],
  ]);
}
