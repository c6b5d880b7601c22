// `cwb results import FILE --device D`: speed results measured on a device (llama-bench's json,
// jsonl, csv or md output, llama.rn's bench() result) recorded as runs of the variants they
// measured, on that device. A row fitting several variants is asked about on a terminal; --variant
// chooses for every such row, and --yes (or no terminal) refuses, listing the candidates.
import { createInterface } from "node:readline/promises";
import type { Command } from "commander";
import type { DeviceResultsImport, ImportedRow } from "../../../shared/deviceResults/deviceResultsImport.js";
import { formatMetricValue } from "../../../shared/metrics/formatMetric.js";
import { importDeviceResults } from "../../../core/deviceResults/importDeviceResults.js";
import { CodedError } from "../../../core/errors.js";
import type { CliContext } from "../context.js";
import type { Output } from "../output.js";

interface ImportOptions {
  device: string;
  variant?: string;
  yes?: boolean;
}

function withSpread(row: ImportedRow): string {
  const { mean, stddev, samples } = row.tokensPerSecond;
  const spread = stddev === null ? "" : ` ± ${formatMetricValue(stddev, "tok/s")}`;
  return `${formatMetricValue(mean, "tok/s")}${spread}${samples === null ? "" : ` (n=${samples})`}`;
}

function describeCandidates(row: ImportedRow): string {
  return row.candidates.map((c) => `${c.modelId} (${c.fileName})`).join(", ");
}

/** Asks, on the terminal, which variant each open row measured; rows of one model are asked once. */
async function askChoices(rows: readonly ImportedRow[], output: Output): Promise<Record<string, string>> {
  const choices: Record<string, string> = {};
  const asked = new Map<string, string>();
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    for (const row of rows.filter((r) => r.match === null)) {
      const key = JSON.stringify([row.model, row.candidates.map((c) => c.modelId)]);
      let answer = asked.get(key);
      if (answer === undefined) {
        output.note(`line ${row.line} (${row.model ?? "model not named"}, ${row.test}): ${row.reason ?? ""}`);
        row.candidates.forEach((c, i) => output.note(`  ${i + 1}) ${c.modelId}  ${c.path}`));
        for (;;) {
          const reply = (await prompt.question(`which one? [1-${row.candidates.length}] `)).trim();
          const picked = row.candidates[Number(reply) - 1];
          if (picked) {
            answer = picked.modelId;
            break;
          }
        }
        asked.set(key, answer);
      }
      choices[String(row.line)] = answer;
    }
  } finally {
    prompt.close();
  }
  return choices;
}

function printOutcome(outcome: DeviceResultsImport, output: Output): void {
  output.fields([
    ["file", `${outcome.file} (${outcome.format})`],
    ["device", `${outcome.device} (machine ${outcome.machineId})`],
  ]);
  if (outcome.status === "already-imported") {
    output.line();
    output.line(
      `Already imported: this file's content was recorded before as ${outcome.runs.map((r) => r.runId).join(", ")}; nothing was added.`,
    );
    return;
  }
  output.line();
  output.table(outcome.rows, [
    { header: "LINE", value: (row) => String(row.line), align: "right" },
    { header: "MODEL", value: (row) => row.model ?? "" },
    { header: "TEST", value: (row) => row.test },
    { header: "TOKENS/S", value: withSpread, align: "right" },
    { header: "VARIANT", value: (row) => row.match?.modelId ?? "" },
    { header: "MATCHED BY", value: (row) => row.match?.by ?? "" },
  ]);
  output.line();
  output.line(
    `Recorded ${outcome.runs.length} run${outcome.runs.length === 1 ? "" : "s"} on ${outcome.device}: ` +
      outcome.runs.map((run) => `${run.runId} (${run.modelId}: ${run.metrics.join(", ")})`).join("; "),
  );
}

export function registerResultsCommands(program: Command, context: CliContext): void {
  const results = program.command("results").description("speed results measured on other devices");

  results
    .command("import")
    .description(
      "record a device's results (llama-bench -o json/jsonl/csv/md, llama.rn bench() JSON) as runs of the variants they measured",
    )
    .argument("<file>", "the results file")
    .requiredOption("--device <id>", "the device the results were measured on")
    .option("--variant <id>", "the variant for rows that fit several (or do not name their model)")
    .option("--yes", "never ask: fail when a row fits several variants, listing them")
    .action(async (file: string, options: ImportOptions) => {
      const { output } = context;
      const db = context.workbench().db;
      const request = { path: file, device: options.device, variant: options.variant };
      let outcome = await importDeviceResults(db, request);
      if (outcome.status === "needs-choice") {
        const open = outcome.rows.filter((row) => row.match === null);
        if (options.yes || !process.stdin.isTTY) {
          const lines = open.map(
            (row) => `line ${row.line}: ${row.reason ?? ""}: ${describeCandidates(row)}`,
          );
          throw new CodedError(
            "RESULTS_AMBIGUOUS",
            `${outcome.file}: nothing recorded; rows fit several variants (choose with --variant ID):\n  ${lines.join("\n  ")}`,
            { file: outcome.file },
          );
        }
        outcome = await importDeviceResults(db, { ...request, choices: await askChoices(open, output) });
      }
      const final = outcome;
      output.result(final, () => printOutcome(final, output));
    });
}
