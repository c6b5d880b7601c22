// npm run fuzz:inputs -- --count N --seed S [--inputs imatrix,text,bundle] [--cli M] [--cli-accepted K]
// Seeded mutations of importance matrices, calibration texts and export bundles through the code
// that reads them (and the first M, plus K accepted ones, through the CLI and a llama.cpp worker).
// Prints one outcome table per input; exits 1 on any defect (crash, hang, an error without a code).
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { buildNode } from "../test/cli/runCwb.js";
import {
  fuzzedInputs,
  makeInputSeeds,
  openFuzzStore,
  runInputsFuzz,
  type FuzzedInput,
} from "./fuzz/inputsFuzz.js";

const { values } = parseArgs({
  options: {
    count: { type: "string", default: "2000" },
    seed: { type: "string", default: "1" },
    inputs: { type: "string", default: fuzzedInputs.join(",") },
    cli: { type: "string", default: "20" },
    "cli-accepted": { type: "string", default: "10" },
    verbose: { type: "boolean", default: false },
  },
});
const inputs = values.inputs.split(",") as FuzzedInput[];
for (const input of inputs)
  if (!fuzzedInputs.includes(input))
    throw new Error(`--inputs: ${input} is not one of ${fuzzedInputs.join(", ")}`);
buildNode();
const workDir = mkdtempSync(path.join(os.tmpdir(), "cwb-fuzz-inputs-"));
const started = performance.now();
const { store, dataDir } = openFuzzStore(workDir);
const seeds = await makeInputSeeds(path.join(workDir, "seeds"), store);
const tables = await runInputsFuzz({
  seeds,
  store,
  dataDir,
  inputs,
  count: Number(values.count),
  seed: Number(values.seed),
  cliCount: Number(values.cli),
  acceptedCliCount: Number(values["cli-accepted"]),
  workDir,
  onCliRefusal: values.verbose
    ? (detail, message) => console.log(`cli refused: ${detail}\n  ${message}`)
    : undefined,
  onProgress: (input, done, total) => {
    if (done % 100 === 0 || done === total) process.stderr.write(`\r${input}: ${done}/${total}   `);
  },
});
process.stderr.write("\n");
store.close();
let defects = 0;
for (const [input, table] of tables) {
  console.log(`\n${input}: ${values.count} mutants (seed ${values.seed})`);
  console.log(table.format());
  defects += table.defects.length;
  for (const d of table.defects)
    console.log(
      `  DEFECT ${d.path}: ${d.detail}\n    ${d.outcome.verdict === "accepted" ? "" : d.outcome.message.split("\n").slice(0, 3).join(" | ")}`,
    );
}
console.log(
  `\ndefects: ${defects} (kept in ${path.join(workDir, "defects")}); took ${((performance.now() - started) / 1000).toFixed(0)} s`,
);
process.exitCode = defects > 0 ? 1 : 0;
