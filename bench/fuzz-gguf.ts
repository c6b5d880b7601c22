// npm run fuzz:gguf -- --count N --seed S [--cli M] [--cli-accepted K] [--server M] [--server-accepted K] [--work DIR]
// Mutates valid GGUF files N times (seeded: the same S gives the same files) and sends each through
// the library's reader; the first M (default N/100, at least 10) also through `cwb models import`,
// `models show` and a dry-run quantize in a worker, and so do the first K files the reader accepts.
// --server and --server-accepted do the same through one `cwb serve` over its WebSocket: import,
// show, a dry-run and a real Q8_0 quantize, and after each file the server must still answer.
// Prints the outcome table; exits 1 on any crash or hang, and keeps those files (with what was done
// to them) in DIR/defects.
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { runGgufFuzz } from "./fuzz/ggufFuzz.js";

const { values } = parseArgs({
  options: {
    count: { type: "string", default: "1000" },
    seed: { type: "string", default: "1" },
    cli: { type: "string" },
    "cli-accepted": { type: "string", default: "0" },
    server: { type: "string", default: "0" },
    "server-accepted": { type: "string", default: "0" },
    work: { type: "string" },
  },
});
const count = Number(values.count);
const seed = Number(values.seed);
if (!Number.isInteger(count) || count < 1)
  throw new Error(`--count ${values.count}: expected a positive integer`);
if (!Number.isInteger(seed)) throw new Error(`--seed ${values.seed}: expected an integer`);
const cliCount = values.cli === undefined ? Math.max(10, Math.floor(count / 100)) : Number(values.cli);
const workDir = values.work ?? path.join(os.tmpdir(), `cwb-fuzz-gguf-${seed}-${process.pid}`);

const started = performance.now();
let lastReport = 0;
const { table, kept } = await runGgufFuzz({
  count,
  seed,
  cliCount,
  acceptedCliCount: Number(values["cli-accepted"]),
  serverCount: Number(values.server),
  acceptedServerCount: Number(values["server-accepted"]),
  workDir,
  onProgress(done, total) {
    const now = performance.now();
    if (now - lastReport < 2000 && done < total) return;
    lastReport = now;
    const rate = done / ((now - started) / 1000);
    process.stderr.write(`\r${done}/${total} files, ETA ${Math.round((total - done) / rate)} s   `);
  },
});
process.stderr.write("\n");
console.log(
  `GGUF fuzz: ${count} files (seed ${seed}); through the CLI: the first ${Math.min(cliCount, count)} and up to ${values["cli-accepted"]} more the reader accepted; through the server: the first ${values.server} and up to ${values["server-accepted"]} more`,
);
console.log(table.format());
console.log(
  `defects (crash or hang): ${table.defects.length}; took ${((performance.now() - started) / 1000).toFixed(0)} s`,
);
for (const defect of table.defects)
  console.log(
    `  ${defect.path}: ${defect.outcome.verdict} ${defect.detail}\n    ${defect.outcome.verdict === "accepted" ? "" : defect.outcome.message.split("\n")[0]}`,
  );
if (kept.length > 0) console.log(`defective files kept in ${path.dirname(kept[0]!)}`);
process.exitCode = table.defects.length > 0 ? 1 : 0;
