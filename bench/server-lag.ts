// npm run bench:lag [-- --types Q8_0,Q4_0,Q2_K] [--cpu-prof DIR]
// The event-loop lag while a sweep (import, quantize, evaluation) of the quick reference model runs,
// in two processes: `cwb serve` driven over the WebSocket, and the core behind the Electron main
// process's IPC adapter (lag/ipcMainHost.ts). Each is measured inside (perf_hooks histogram,
// preloaded with --import, cleared once the process has loaded) and from its client as the round
// trip of an app.info call every 20 ms. Goal: p99 < 50 ms. Prints the machine's load average with
// the figures, since a loaded machine delays every process.
import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { parseArgs } from "node:util";
import { referenceModel } from "../test/helpers/referenceModel.js";
import { startServedApp } from "../test/helpers/servedApp.js";
import { connectProtocol } from "../test/helpers/wsProtocolClient.js";
import { sweepUnderProbe } from "./lag/sweepUnderProbe.js";

const { values } = parseArgs({
  options: {
    types: { type: "string", default: "Q8_0,Q4_0,Q2_K" },
    // A folder for a CPU profile of the server process (node --cpu-prof), to find what blocks it.
    "cpu-prof": { type: "string" },
  },
});
const types = values.types.split(",");
const ref = await referenceModel("quick");
const lagDir = path.join(import.meta.dirname, "lag");
const probe = `--import ${pathToFileURL(path.join(lagDir, "eventLoopProbe.mjs")).href}`;

interface Histogram {
  argv: string[];
  samples: number;
  p50: number;
  p99: number;
  max: number;
}
interface Row {
  name: string;
  inside: Histogram | undefined;
  roundTrips: number[];
}

function histogramOf(dataDir: string, argv0: string): Histogram | undefined {
  return readdirSync(dataDir)
    .filter((name) => name.startsWith("lag."))
    .map((name) => JSON.parse(readFileSync(path.join(dataDir, name), "utf8")) as Histogram)
    .find((r) => r.argv.some((arg) => arg.endsWith(argv0)));
}

async function serverRow(): Promise<Row> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "cwb-lag-"));
  try {
    const app = await startServedApp(dataDir, {
      env: {
        CWB_LAG_FILE: path.join(dataDir, "lag"),
        NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} ${probe}`,
      },
      nodeArgs: values["cpu-prof"] ? ["--cpu-prof", "--cpu-prof-dir", path.resolve(values["cpu-prof"])] : [],
    });
    const connection = await connectProtocol(`ws://127.0.0.1:${app.port}/ws?token=${app.token}`, {
      Origin: app.origin,
    });
    app.child.kill("SIGUSR2"); // the probe: measure the sweep, not the server's start
    const roundTrips = await sweepUnderProbe((method, params) => connection.call(method, params), ref, types);
    await connection.close();
    await app.stop();
    return { name: "cwb serve (WebSocket)", inside: histogramOf(dataDir, "serve"), roundTrips };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function ipcRow(): Promise<Row> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "cwb-lag-"));
  try {
    const host = path.join(lagDir, "ipcMainHost.ts");
    const hook = `--import ${pathToFileURL(path.join(lagDir, "electronHook.mjs")).href}`;
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ["--import", "tsx", host, dataDir, values.types],
      {
        env: { ...process.env, CWB_LAG_FILE: path.join(dataDir, "lag"), NODE_OPTIONS: `${hook} ${probe}` },
        maxBuffer: 64 << 20,
      },
    );
    const lines = stdout.trim().split("\n");
    console.log(lines.slice(0, -1).join("\n"));
    const { roundTrips } = JSON.parse(lines.at(-1)!) as { roundTrips: number[] };
    return { name: "core + IPC adapter (main)", inside: histogramOf(dataDir, "ipcMainHost.ts"), roundTrips };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const rows = [await serverRow(), await ipcRow()];
console.log(
  `load average ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(" ")} on ${os.cpus().length} cores`,
);
const f = (ms: number) => `${ms.toFixed(1)} ms`;
for (const { name, inside, roundTrips } of rows) {
  const sorted = [...roundTrips].sort((a, b) => a - b);
  const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
  console.log(
    `${name}: event-loop delay ${
      inside
        ? `p50 ${f(inside.p50)}, p99 ${f(inside.p99)}, max ${f(inside.max)} (${inside.samples} samples)`
        : "not recorded (the probe did not load)"
    }; app.info round trip p50 ${f(pct(50))}, p99 ${f(pct(99))}, max ${f(sorted.at(-1)!)} (${sorted.length} calls)`,
  );
}
process.exitCode = rows.every((r) => r.inside && r.inside.p99 < 50) ? 0 : 1;
