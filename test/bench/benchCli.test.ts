// `cwb bench` as a user runs it (node bin/cwb.js over the tsc build): a real job in a real worker
// process running llama.cpp through node-llama-cpp on a small model, with small settings. Asserts
// the structure and sanity of what is measured and stored, never how fast it is.
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildNode, runCwb } from "../cli/runCwb.js";
import { referenceBuildTimeoutMs, referenceModelPath } from "../helpers/referenceModel.js";
import { benchReport, type BenchReport } from "../../src/shared/domain/bench.js";
import { Store } from "../../src/core/store/Store.js";
import { dataPaths } from "../../src/core/paths.js";
import { getRun, listRuns } from "../../src/core/store/runs.js";
import { getMachine } from "../../src/core/machine/machineStore.js";

let dir: string;
let dataDir: string;
let modelPath: string;

beforeAll(async () => {
  buildNode();
  dir = mkdtempSync(path.join(os.tmpdir(), "cwb-bench-"));
  dataDir = path.join(dir, "data");
  modelPath = await referenceModelPath();
}, referenceBuildTimeoutMs);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cwb = (...args: string[]) => runCwb(["--data-dir", dataDir, ...args]);
const small = [
  "--reps",
  "2",
  "--pp",
  "16,64",
  "--tg",
  "12",
  "--tg-prompt",
  "8",
  "--warm-loads",
  "1",
  "--bandwidth-mib",
  "64",
];

describe("cwb bench", () => {
  let report: BenchReport;

  it("measures a model and prints the report as --json", async () => {
    const out = path.join(dir, "report.json");
    const result = await cwb("--json", "bench", modelPath, ...small, "--threads", "2", "--out", out);
    expect(result.stderr).not.toMatch(/error/i);
    expect(result.code).toBe(0);
    report = benchReport.parse(JSON.parse(result.stdout));
    expect(JSON.parse(readFileSync(out, "utf8"))).toEqual(JSON.parse(result.stdout));
  }, 300_000);

  it("records what it really used", () => {
    const s = report.settings;
    expect(s.backend).toBe("cpu"); // no GPU on the test machine: the CPU path is taken and recorded
    expect(s.gpuLayers).toBe(0);
    expect(s.threads).toBe(2);
    expect(s.promptLengths).toEqual([16, 64]);
    expect(s.contextSize).toBeGreaterThanOrEqual(64);
    expect(report.llamaBuild).toMatch(/^v?\d|^b\d/);
    expect(report.machine.cores).toBe(os.cpus().length);
    expect(report.details.modelSizeBytes).toBe(statSync(modelPath).size);
    // The reference model's tokenizer has 4,096 pieces.
    expect(report.details.vocabularySize).toBe(4096);
  });

  it("gives sane speed figures with spread and sample counts", () => {
    const m = new Map(report.metrics.map((x) => [x.name, x]));
    for (const name of ["pp.16", "pp.64", "tg.12", "app.pp.16", "app.pp.64", "app.tg.12"]) {
      expect(m.get(name)?.unit).toBe("tok/s");
      expect(m.get(name)!.value).toBeGreaterThan(0);
      expect(m.get(name)!.samples).toBe(2);
      expect(m.get(name)!.stddev).not.toBeNull();
    }
    expect(m.get("load.cold")!.value).toBeGreaterThan(0);
    expect(m.get("load.warm")!.samples).toBe(1);
    expect(m.get("ttft.p95")!.value).toBeGreaterThanOrEqual(m.get("ttft.p50")!.value);
    expect(m.get("itl.p95")!.value).toBeGreaterThanOrEqual(m.get("itl.p50")!.value);
    expect(m.get("itl.p99")!.value).toBeGreaterThanOrEqual(m.get("itl.p95")!.value);
    // Per-token time of node-llama-cpp's generation minus llama-bench's decode-only time.
    expect(m.get("app.tg.overhead")!.value).toBeCloseTo(
      1000 / m.get("app.tg.12")!.value - 1000 / m.get("tg.12")!.value,
      9,
    );
    // 2 reps × (12 tokens − 1 gap each)
    expect(m.get("itl.p50")!.samples).toBe(22);
  });

  it("measures memory next to node-llama-cpp's estimate", () => {
    const m = new Map(report.metrics.map((x) => [x.name, x]));
    expect(m.get("memory.peak_rss")!.value).toBeGreaterThan(report.details.modelSizeBytes);
    expect(m.get("memory.peak_rss")!.value).toBeGreaterThanOrEqual(m.get("memory.baseline_rss")!.value);
    expect(m.get("memory.estimate")!.value).toBeGreaterThan(0);
    expect(report.details.memory.estimateModelBytes).toBeGreaterThan(0);
    expect(report.details.memory.estimateContextBytes).toBeGreaterThan(0);
    if (process.platform === "linux") {
      expect(report.details.memory.source).toBe("VmHWM");
      expect(report.details.memory.peakReset).toBe(true);
    }
  });

  it("relates generation to the measured memory bandwidth", () => {
    const m = new Map(report.metrics.map((x) => [x.name, x]));
    expect(report.details.bandwidth?.bufferBytes).toBe(64 * 1024 * 1024);
    expect(m.get("bandwidth")!.value).toBeGreaterThan(0);
    // At most every tensor is read per token, never the GGUF header.
    expect(m.get("weights.bytes_per_token")!.value).toBeLessThan(report.details.modelSizeBytes);
    const share = m.get("tg.bandwidth_share")!.value;
    expect(share).toBeCloseTo(
      (m.get("tg.12")!.value * m.get("weights.bytes_per_token")!.value) / m.get("bandwidth")!.value,
      9,
    );
  });

  it("stores the run, its metrics and the machine", () => {
    const store = Store.open(dataPaths(dataDir).database, { readonly: true });
    try {
      const run = getRun(store.db, report.runId!);
      expect(run?.kind).toBe("bench");
      expect(run?.modelId).toBe(report.modelId);
      expect(run?.metrics).toHaveLength(report.metrics.length);
      expect(run?.settings).toEqual(report.settings);
      expect(run?.jobId).toMatch(/.+/);
      expect(getMachine(store.db, report.machine.id)?.cpu).toBe(report.machine.cpu);
    } finally {
      store.close();
    }
  });

  it("prints a table for people", async () => {
    const result = await cwb("bench", modelPath, ...small, "--no-bandwidth");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^METRIC\s+VALUE\s+± STDDEV\s+CV\s+N$/m);
    expect(result.stdout).toMatch(/^pp\.64\s+[\d.,]+ tok\/s/m);
    expect(result.stdout).toMatch(/^cold load:/m);
    expect(result.stdout).not.toMatch(/^bandwidth\s/m);
  }, 300_000);

  it("refuses bad options before queueing anything, and records nothing", async () => {
    const store = Store.open(dataPaths(dataDir).database, { readonly: true });
    const before = listRuns(store.db).length;
    store.close();
    for (const bad of [
      ["--pp", "0"],
      ["--gpu", "opencl"],
      ["--reps", "x"],
      ["--gpu-layers", "-1"],
    ]) {
      const result = await cwb("bench", modelPath, ...bad);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(new RegExp(bad[0]!));
    }
    const missing = await cwb("bench", path.join(dir, "missing.gguf"));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/missing\.gguf/);
    const after = Store.open(dataPaths(dataDir).database, { readonly: true });
    expect(listRuns(after.db)).toHaveLength(before);
    after.close();
    expect(existsSync(path.join(dataDir, "tmp"))).toBe(true);
  });
});
