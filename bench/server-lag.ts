// npm run bench:lag [-- --types Q8_0,Q4_0,Q2_K]
// The event-loop lag of `cwb serve` while it runs a sweep (import, quantize, evaluation) of the quick
// reference model: measured inside the server (perf_hooks histogram, preloaded with --import) and
// from outside as the round trip of an app.info call every 20 ms. Goal: p99 < 50 ms. Prints the
// machine's load average with the figures, since a loaded machine delays every process.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { referenceModel } from "../test/helpers/referenceModel.js";
import { startServedApp } from "../test/helpers/servedApp.js";
import { connectProtocol } from "../test/helpers/wsProtocolClient.js";

const { values } = parseArgs({
  options: {
    types: { type: "string", default: "Q8_0,Q4_0,Q2_K" },
    // A folder for a CPU profile of the server process (node --cpu-prof), to find what blocks it.
    "cpu-prof": { type: "string" },
  },
});
const ref = await referenceModel("quick");
const dataDir = mkdtempSync(path.join(os.tmpdir(), "cwb-lag-"));
const lagFile = path.join(dataDir, "lag");
const probe = pathToFileURL(path.join(import.meta.dirname, "lag", "eventLoopProbe.mjs")).href;
const app = await startServedApp(dataDir, {
  env: { CWB_LAG_FILE: lagFile, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --import ${probe}` },
  nodeArgs: values["cpu-prof"] ? ["--cpu-prof", "--cpu-prof-dir", path.resolve(values["cpu-prof"])] : [],
});
const connection = await connectProtocol(`ws://127.0.0.1:${app.port}/ws?token=${app.token}`, {
  Origin: app.origin,
});

// From here on: the sweep only, not the server's start.
app.child.kill("SIGUSR2");
const roundTrips: number[] = [];
let probing = true;
const prober = (async () => {
  while (probing) {
    const started = performance.now();
    await connection.call("app.info");
    roundTrips.push(performance.now() - started);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
})();

const started = performance.now();
const imported = await connection.call("jobs.start", {
  kind: "models.import",
  params: { path: ref.modelPath },
});
if (!imported.ok) throw new Error(JSON.stringify(imported.error));
const importJob = (imported.value as { id: string }).id;
await connection.waitForEvent(
  (f) =>
    f.topic === "jobs.updated" &&
    (f.payload as { id: string; state: string }).id === importJob &&
    (f.payload as { state: string }).state === "succeeded",
  300_000,
);
const modelId = ((await connection.call("models.list")) as { value: { id: string }[] }).value[0]!.id;
const sweep = await connection.call("experiments.startSweep", {
  modelId,
  recipe: {
    types: values.types.split(","),
    evalText: ref.evalText.path,
    evalContextSize: 128,
    evalChunks: 4,
    threads: 2,
  },
});
if (!sweep.ok) throw new Error(JSON.stringify(sweep.error));
const experimentId = (sweep.value as { experimentId: string }).experimentId;
for (;;) {
  const summary = await connection.call("experiments.get", { id: experimentId });
  const state = summary.ok ? (summary.value as { state: string }).state : "failed";
  if (!["queued", "running"].includes(state)) {
    console.log(`sweep ${state} after ${((performance.now() - started) / 1000).toFixed(0)} s`);
    break;
  }
  await new Promise((resolve) => setTimeout(resolve, 500));
}
probing = false;
await prober;
await connection.close();
await app.stop();

const inside = readdirSync(dataDir)
  .filter((name) => name.startsWith("lag."))
  .map(
    (name) =>
      JSON.parse(readFileSync(path.join(dataDir, name), "utf8")) as {
        argv: string[];
        samples: number;
        p50: number;
        p99: number;
        max: number;
      },
  )
  .find((r) => r.argv[0] === "serve");
const sorted = [...roundTrips].sort((a, b) => a - b);
const pct = (p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
console.log(
  `load average ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(" ")} on ${os.cpus().length} cores`,
);
if (inside)
  console.log(
    `server event-loop delay (perf_hooks, ${inside.samples} samples): p50 ${inside.p50.toFixed(1)} ms, p99 ${inside.p99.toFixed(1)} ms, max ${inside.max.toFixed(1)} ms`,
  );
else console.log("server event-loop delay: no histogram written (the probe did not load)");
console.log(
  `app.info round trip (${sorted.length} calls): p50 ${pct(50).toFixed(1)} ms, p99 ${pct(99).toFixed(1)} ms, max ${sorted.at(-1)!.toFixed(1)} ms`,
);
rmSync(dataDir, { recursive: true, force: true });
process.exitCode = inside && inside.p99 < 50 ? 0 : 1;
