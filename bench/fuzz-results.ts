// npm run fuzz:results -- --count N --seed S
// Seeded mutations of device results files (llama-bench json, jsonl, csv and md made here by the
// real llama-bench, and llama.rn's two shapes) through parseDeviceResults. Prints the outcome
// table; exits 1 if anything but a ResultsFormatError was thrown.
import { parseArgs } from "node:util";
import { llamaBenchTwice } from "../test/deviceResults/llamaBenchOutput.js";
import { llamaRnSeeds, runResultsFuzz } from "./fuzz/resultsFuzz.js";

const { values } = parseArgs({
  options: { count: { type: "string", default: "2000" }, seed: { type: "string", default: "1" } },
});
const count = Number(values.count);
const seed = Number(values.seed);
const json = await llamaBenchTwice("json", "jsonl");
const csv = await llamaBenchTwice("csv", "md");
const seeds = [json.out, json.err, csv.out, csv.err, ...llamaRnSeeds];
const started = performance.now();
const table = await runResultsFuzz(seeds, count, seed);
console.log(`device results fuzz: ${count} files (seed ${seed}) from ${seeds.length} seeds`);
console.log(table.format());
console.log(`defects: ${table.defects.length}; took ${((performance.now() - started) / 1000).toFixed(1)} s`);
for (const d of table.defects)
  console.log(
    `  ${d.detail}\n    ${d.outcome.verdict === "accepted" ? "" : d.outcome.message.split("\n")[0]}`,
  );
process.exitCode = table.defects.length > 0 ? 1 : 0;
